using System.Text.Json.Nodes;

namespace Tether.Tests;

/// <summary>
/// The <c>job.command</c> record built from a <see cref="Command"/> (<see cref="CommandRecord"/>): secrets never in
/// it, output cut to its bound with its real size kept, and the same field names the journal has always stored.
/// </summary>
public sealed class CommandRecordSpecs
{
    [Fact]
    public void A_captured_command_never_records_secrets()
    {
        // Arrange
        var command = new Command("deployer")
            .WithArguments("push")
            .AddSecretArgument("hunter2")
            .AddArgument("--password=swordfish")
            .AddArgument("--token")
            .AddArgument("abc123")
            .AddArgument("https://user:pa55@example.com/repo.git")
            .AddArgument("API_KEY=k3y")
            .AddArgument("--verbose");

        // Act
        var record = CommandRecord.For(command, new CommandRun { ExitCode = 0 });

        // Assert
        var text = record.Data.ToJsonString();
        foreach (var secret in new[] { "hunter2", "swordfish", "abc123", "pa55", "k3y" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        Assert.Equal("job.command", record.Type);
        Assert.Equal("deployer", (string?)record.Data["program"]);
        var args = record.Data["args"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Equal(["push", "***", "--password=***", "--token", "***", "https://user:***@example.com/repo.git", "API_KEY=***", "--verbose"], args);
    }

    [Fact]
    public void Captured_output_is_cut_to_its_bound_with_a_marker_and_its_real_size_is_kept()
    {
        // Arrange
        var stdout = "first line\n" + new string('x', 100_000) + "\nerror: the real reason";
        var command = new Command("make").WithArguments("all");

        // Act
        var data = CommandRecord.For(
            command,
            new CommandRun { ExitCode = 2, Duration = TimeSpan.FromMilliseconds(1234.5), Stdout = stdout, Stderr = "short" },
            new CommandRecordOptions { MaxOutputBytes = 1024 }).Data;

        // Assert
        var kept = (string)data["stdout"]!;
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(kept) <= 1024);
        Assert.StartsWith("first line", kept, StringComparison.Ordinal);
        Assert.EndsWith("error: the real reason", kept, StringComparison.Ordinal);
        Assert.Contains("[cut ", kept, StringComparison.Ordinal);
        Assert.Equal(stdout.Length, (int)data["stdout_bytes"]!);
        Assert.Equal("short", (string?)data["stderr"]);
        Assert.Equal(2, (int)data["exit_code"]!);
        Assert.Equal(1234.5, (double)data["duration_ms"]!);
    }

    [Fact]
    public void Secret_output_is_recorded_only_by_its_size()
    {
        // Act
        var text = CommandRecord.For(new Command("vault"), new CommandRun { Stdout = "s3cr3t", OutputIsSecret = true }).Data.ToJsonString();

        // Assert
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        Assert.Contains("\"stdout\":\"***\"", text, StringComparison.Ordinal);
        Assert.Contains("\"stdout_bytes\":6", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_the_program_echoes_is_masked_in_the_recorded_output()
    {
        // Arrange
        var command = new Command("login").WithArguments("--token", "tok-echoed-77").AddSecretArgument("marked-echoed-88");

        // Act
        var text = CommandRecord.For(command, new CommandRun { Stdout = "using tok-echoed-77\n", Stderr = "bad marked-echoed-88\n" }).Data.ToJsonString();

        // Assert
        Assert.DoesNotContain("echoed", text, StringComparison.Ordinal);
        Assert.Contains("\"stdout\":\"using ***\\n\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_fields_keep_the_order_and_names_of_the_journal_format()
    {
        // Act
        var data = CommandRecord.For(
            new Command("make").WithArguments("all").WithWorkingDirectory("/src"),
            new CommandRun { ExitCode = 0, Duration = TimeSpan.FromMilliseconds(5), Stdout = "ok", Stderr = "" }).Data;

        // Assert
        Assert.Equal(
            ["program", "args", "cwd", "exit_code", "signal", "duration_ms", "stdout", "stdout_bytes", "stderr", "stderr_bytes"],
            data.Select(p => p.Key));
        Assert.Null(data["signal"]);
    }

    [Fact]
    public void A_submitted_record_names_the_program_with_secrets_masked()
    {
        // Act
        var data = CommandRecord.Submitted(new Command("https://bot:pw-in-url-55@example.com/tool"));

        // Assert
        Assert.Equal("""{"program":"https://bot:***@example.com/tool"}""", data.ToJsonString());
    }

    [Fact]
    public void An_output_bound_below_the_marker_size_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => CommandRecord.For(new Command("x"), new CommandRun(), new CommandRecordOptions { MaxOutputBytes = 10 }));
    }
}
