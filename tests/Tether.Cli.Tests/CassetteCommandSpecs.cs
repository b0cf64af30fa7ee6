using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary><c>tether cassette show|verify FILE</c> on cassette files in temp directories; neither changes the file.</summary>
public sealed class CassetteCommandSpecs : IDisposable
{
    /// <summary>A processkit-format cassette with one entry of each kind of ending.</summary>
    private const string FourEntries = """
        {
          "version": 1,
          "entries": [
            { "program": "git", "args": ["status", "--short"], "cwd": "/srv/app", "stdout": " M a.cs\n M b.cs\n", "stderr": "", "code": 0 },
            { "program": "make", "args": ["test"], "stdin_digest": 42, "has_stdin": true, "env_names": ["CI", "HOME"], "stdout": "", "stderr": "boom\n", "code": 2 },
            { "program": "sleep", "args": ["600"], "stdout": "", "stderr": "", "code": null, "timed_out": true },
            { "program": "sh", "args": ["-c", "kill -KILL $$"], "stdout": "\u001b[31mred\u001b[0m", "stderr": "", "code": null, "signal": 9 }
          ]
        }
        """;

    private readonly TempDirectory _temp = new();

    private string CassettePath => _temp.Child("cassette.json");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Show_lists_each_entry_with_its_command_line_cwd_outcome_and_output()
    {
        await File.WriteAllTextAsync(CassettePath, FourEntries);

        var result = await Tool.RunAsync("cassette", "show", CassettePath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Equal(
            [
                $"{CassettePath}: 4 entries",
                "[0] git status --short",
                "    cwd      /srv/app",
                "    outcome  exit 0",
                "    stdout   16 bytes, 2 lines: \" M a.cs\"",
                "    stderr   empty",
                "[1] make test",
                "    stdin    given (digest 000000000000002a)",
                "    env      CI, HOME",
                "    outcome  exit 2",
                "    stdout   empty",
                "    stderr   5 bytes, 1 line: \"boom\"",
                "[2] sleep 600",
                "    outcome  timed out",
                "    stdout   empty",
                "    stderr   empty",
                "[3] sh -c 'kill -KILL $$'",
                "    outcome  signal 9 (SIGKILL)",
                "    stdout   12 bytes, 1 line: \"\\x1b[31mred\\x1b[0m\"",
                "    stderr   empty",
            ],
            result.StdoutLines);
    }

    [Fact]
    public async Task Show_never_prints_control_characters_from_a_cassette_to_the_terminal()
    {
        await File.WriteAllTextAsync(CassettePath, FourEntries);

        var result = await Tool.RunAsync("cassette", "show", CassettePath);

        Assert.DoesNotContain('\u001b', result.Stdout);
        Assert.Contains("\\x1b[31mred", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_json_prints_one_document_with_the_cassette_field_names_and_the_output_in_full()
    {
        await File.WriteAllTextAsync(CassettePath, FourEntries);

        var result = await Tool.RunAsync("cassette", "show", CassettePath, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        var root = document.RootElement;
        Assert.Equal(["json_version", "version", "entries"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(1, root.GetProperty("json_version").GetInt32());
        var entries = root.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(4, entries.Count);
        string[] keys = ["program", "args", "cwd", "stdin_digest", "has_stdin", "env_names", "stdout", "stderr", "code", "timed_out", "signal"];
        Assert.All(entries, e => Assert.Equal(keys, e.EnumerateObject().Select(p => p.Name)));

        Assert.Equal("git", entries[0].GetProperty("program").GetString());
        Assert.Equal(["status", "--short"], entries[0].GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("/srv/app", entries[0].GetProperty("cwd").GetString());
        Assert.Equal(" M a.cs\n M b.cs\n", entries[0].GetProperty("stdout").GetString());
        Assert.Equal(0, entries[0].GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, entries[0].GetProperty("signal").ValueKind);

        Assert.Equal(42UL, entries[1].GetProperty("stdin_digest").GetUInt64());
        Assert.True(entries[1].GetProperty("has_stdin").GetBoolean());
        Assert.Equal(["CI", "HOME"], entries[1].GetProperty("env_names").EnumerateArray().Select(a => a.GetString()));

        Assert.True(entries[2].GetProperty("timed_out").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entries[2].GetProperty("code").ValueKind);

        Assert.Equal(9, entries[3].GetProperty("signal").GetInt32());
        Assert.Equal("\u001b[31mred\u001b[0m", entries[3].GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Show_lists_what_tether_run_recorded()
    {
        var recorded = await Tool.RunAsync(Dummy.Run(["--cassette", CassettePath], "print", "hello"));
        Assert.True(recorded.ExitCode == 0, recorded.ToString());

        var result = await Tool.RunAsync("cassette", "show", CassettePath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [$"{CassettePath}: 1 entry", $"[0] {Dummy.Path} print hello", "    outcome  exit 0", "    stdout   6 bytes, 1 line: \"hello\"", "    stderr   empty"],
            result.StdoutLines);
    }

    [Fact]
    public async Task Verify_says_a_valid_cassette_is_valid_with_its_entry_count()
    {
        await File.WriteAllTextAsync(CassettePath, FourEntries);

        var result = await Tool.RunAsync("cassette", "verify", CassettePath);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"{CassettePath}: valid cassette, 4 entries", Assert.Single(result.StdoutLines));
        Assert.Empty(result.Stderr);
    }

    [Theory]
    [InlineData("{\"version\": 1, \"entries\": [", "is not valid JSON at line")]
    [InlineData("{\"version\": 7, \"entries\": []}", "version 7 is not supported")]
    [InlineData("{\"version\": 1}", "has no \"entries\" array")]
    [InlineData("{\"version\": 1, \"entries\": [{\"program\": \"git\", \"args\": [], \"stdout\": \"\", \"stderr\": \"\", \"code\": 0, \"signal\": 9}]}", "entry 0 sets more than one of")]
    [InlineData("[]", "not an object")]
    public async Task Verify_gives_the_reason_an_invalid_cassette_is_invalid_exits_1_and_leaves_the_file_alone(string content, string reason)
    {
        await File.WriteAllTextAsync(CassettePath, content);
        var before = await File.ReadAllBytesAsync(CassettePath);

        var result = await Tool.RunAsync("cassette", "verify", CassettePath);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.StartsWith("tether: cassette verify: ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.Equal(before, await File.ReadAllBytesAsync(CassettePath));
    }

    [Fact]
    public async Task Verify_of_a_missing_file_says_it_does_not_exist_rather_than_that_it_is_invalid()
    {
        var result = await Tool.RunAsync("cassette", "verify", CassettePath);

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains($"'{CassettePath}' does not exist", line, StringComparison.Ordinal);
        Assert.DoesNotContain("valid", line, StringComparison.Ordinal);
        Assert.False(File.Exists(CassettePath));
    }

    [Fact]
    public async Task Verify_of_a_directory_says_it_is_a_directory()
    {
        var result = await Tool.RunAsync("cassette", "verify", _temp.Path);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("is a directory", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_json_reports_validity_entries_and_the_problem()
    {
        await File.WriteAllTextAsync(CassettePath, FourEntries);
        var broken = _temp.Child("broken.json");
        await File.WriteAllTextAsync(broken, "not json");

        var valid = await Tool.RunAsync("cassette", "verify", CassettePath, "--json");
        var invalid = await Tool.RunAsync("cassette", "verify", broken, "--json");
        var missing = await Tool.RunAsync("cassette", "verify", _temp.Child("missing.json"), "--json");

        Assert.True(valid.ExitCode == 0, valid.ToString());
        var json = valid.Json();
        Assert.Equal(["json_version", "path", "valid", "entries", "problem", "error"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("valid").GetBoolean());
        Assert.Equal(4, json.GetProperty("entries").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("problem").ValueKind);

        Assert.True(invalid.ExitCode == 1, invalid.ToString());
        Assert.False(invalid.Json().GetProperty("valid").GetBoolean());
        Assert.Equal("invalid_json", invalid.Json().GetProperty("problem").GetString());
        Assert.Equal(JsonValueKind.Null, invalid.Json().GetProperty("entries").ValueKind);

        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Equal("not_found", missing.Json().GetProperty("problem").GetString());
        Assert.Equal("not_found", missing.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Show_of_a_missing_or_invalid_cassette_exits_1_with_one_line()
    {
        var broken = _temp.Child("broken.json");
        await File.WriteAllTextAsync(broken, "{");

        var missing = await Tool.RunAsync("cassette", "show", CassettePath);
        var invalid = await Tool.RunAsync("cassette", "show", broken);

        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains("does not exist", missing.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(invalid.ExitCode == 1, invalid.ToString());
        Assert.Contains("is not valid JSON", invalid.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(invalid.Stdout);
    }

    [Theory]
    [InlineData("show", "tether cassette show FILE [--json]")]
    [InlineData("verify", "tether cassette verify FILE [--json]")]
    public async Task Each_cassette_verb_has_help_with_its_usage_exit_codes_and_examples(string verb, string usage)
    {
        var result = await Tool.RunAsync("cassette", verb, "--help");
        var overview = await Tool.RunAsync("cassette", "--help");
        var root = await Tool.RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(usage, result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"tether cassette {verb} ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains(verb, overview.Stdout, StringComparison.Ordinal);
        Assert.Contains("cassette", root.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_help_explains_the_cassette_modes_and_what_happens_to_stdin()
    {
        var result = await Tool.RunAsync("run", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var text in new[] { "--cassette <FILE>", "--mode <MODE>", "[default: once]", "new-episodes", "stdin is always empty" })
        {
            Assert.Contains(text, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(new[] { "cassette" }, "cassette: no verb given: choose one of show, verify")]
    [InlineData(new[] { "cassette", "play", "x.json" }, "'play' is not a verb of tether cassette")]
    [InlineData(new[] { "cassette", "show" }, "FILE")]
    [InlineData(new[] { "cassette", "verify", "" }, "cassette verify: the cassette file is empty")]
    public async Task A_wrong_cassette_command_line_exits_2_with_one_line(string[] args, string expected)
    {
        var result = await Tool.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }
}
