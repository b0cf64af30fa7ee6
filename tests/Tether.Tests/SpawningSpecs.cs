using System.Globalization;
using System.Text.Json;

namespace Tether.Tests;

public sealed class SpawningSpecs
{
    [Fact]
    public async Task I_can_pass_arguments_with_spaces_quotes_unicode_and_empty_strings_verbatim()
    {
        // Arrange
        string[] arguments =
        [
            "", "two words", "  padded  ", "\"double quotes\"", "'single quotes'", "back\\slash", "$HOME and `ticks`",
            "*.cs", "ünïcødé ✓ 日本語 🎉", "line one\nline two", "tab\there", "--flag=value", ";|&<>", " ",
        ];

        // Act
        var stdout = await ProcessRunner.Default.RunAsync(Dummy.Command("echo-args", arguments));

        // Assert
        Assert.Equal(arguments, JsonSerializer.Deserialize<string[]>(stdout));
    }

    [Fact]
    public async Task I_can_run_a_program_by_name_from_PATH()
    {
        var stdout = await ProcessRunner.Default.RunAsync(new Command("sh").WithArguments("-c", "echo found"));

        Assert.Equal("found", stdout);
    }

    [Fact]
    public async Task I_can_choose_the_working_directory()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("pwd").WithWorkingDirectory("/"));

        Assert.Equal("/", stdout);
    }

    [Fact]
    public async Task A_program_leads_a_process_group_of_its_own()
    {
        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("pids"));

        // Assert
        var ids = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => int.Parse(parts[1], CultureInfo.InvariantCulture));
        Assert.Equal(result.Pid, ids["pid"]);
        Assert.Equal(ids["pid"], ids["pgid"]);
        Assert.NotEqual(ProcessTable.ProcessGroupOf(Environment.ProcessId), ids["pgid"]);
    }

    [Fact]
    public async Task A_secret_argument_reaches_the_program_but_never_its_description()
    {
        // Arrange
        var command = Dummy.Command("echo-args", "--user", "me").AddSecretArgument("hunter2");

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal<string>(["--user", "me", "hunter2"], JsonSerializer.Deserialize<string[]>(result.Stdout)!);
        Assert.DoesNotContain("hunter2", command.ToString(), StringComparison.Ordinal);
        Assert.Contains("***", command.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.Program, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_is_immutable()
    {
        // Arrange
        var original = new Command("sh");

        // Act
        var changed = original.WithArguments("-c", "true").WithTimeout(TimeSpan.FromSeconds(1)).WithEnvironmentVariable("A", "1");

        // Assert
        Assert.Empty(original.Arguments);
        Assert.Null(original.Timeout);
        Assert.Empty(original.Environment.Overrides);
        Assert.Equal<string>(["-c", "true"], changed.Arguments);
        Assert.Equal(TimeSpan.FromSeconds(1), changed.Timeout);
    }

    [Fact]
    public void A_command_describes_itself_as_a_shell_line_of_at_most_256_characters()
    {
        var command = new Command("echo").WithArguments("two words", new string('a', 1000));

        var text = command.ToString();

        Assert.StartsWith("echo 'two words' aaaa", text, StringComparison.Ordinal);
        Assert.True(text.Length <= 256, $"{text.Length} characters");
    }
}
