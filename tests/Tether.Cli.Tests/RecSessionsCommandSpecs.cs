using System.Diagnostics;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Sessions;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether rec list|show|search|rename|tag|untag|delete|copy|diff|stats</c> on a session store in a temp directory.
/// The tool runs as a child process so that <c>TETHER_SESSIONS_DIR</c> is set for it alone (in-process runs would
/// share this process's environment with specs running in parallel).
/// </summary>
public sealed class RecSessionsCommandSpecs : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 9, 30, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();
    private readonly SessionStore _store;

    public RecSessionsCommandSpecs()
    {
        _store = SessionStore.Open(_temp.Path);
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task List_shows_name_id_prefix_start_commands_status_and_tags()
    {
        var id = Record("deploy", ["git pull", "make"], tags: ["prod"]);
        Record("scratch", ["ls"]);

        var result = await RunAsync("rec", "list");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Equal(3, result.StdoutLines.Length);
        Assert.StartsWith("NAME", result.StdoutLines[0], StringComparison.Ordinal);
        var deploy = result.StdoutLines[1];
        Assert.StartsWith("deploy", deploy, StringComparison.Ordinal);
        Assert.Contains(id[..8], deploy, StringComparison.Ordinal);
        Assert.Contains("2024-05-01 09:30", deploy, StringComparison.Ordinal);
        Assert.Contains("completed", deploy, StringComparison.Ordinal);
        Assert.EndsWith("prod", deploy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_json_filters_by_tag_and_names_unreadable_files_on_stderr()
    {
        var id = Record("deploy", ["git pull", "make"], tags: ["prod"]);
        Record("scratch", ["ls"]);
        await File.WriteAllTextAsync(_temp.Child("broken.ndjson"), "not json\n");

        var result = await RunAsync("rec", "list", "--tag", "prod", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        var session = Assert.Single(json.GetProperty("sessions").EnumerateArray());
        Assert.Equal("deploy", session.GetProperty("name").GetString());
        Assert.Equal(id, session.GetProperty("id").GetString());
        Assert.Equal(2, session.GetProperty("commands").GetInt32());
        Assert.Equal("completed", session.GetProperty("status").GetString());
        Assert.Equal(["prod"], session.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("2024-05-01T09:30:00.000Z", session.GetProperty("started").GetString());
        var unreadable = Assert.Single(json.GetProperty("unreadable").EnumerateArray());
        Assert.EndsWith("broken.ndjson", unreadable.GetProperty("path").GetString(), StringComparison.Ordinal);
        var warning = Assert.Single(result.StderrLines);
        Assert.Contains("broken.ndjson", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_lists_commands_with_number_cwd_exit_code_and_duration()
    {
        Record("deploy", ["git pull", "make test"], exitCodes: [0, 2]);

        var result = await RunAsync("rec", "show", "deploy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Stderr);
        Assert.Equal(3, result.StdoutLines.Length);
        Assert.StartsWith("deploy (", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Contains("2 commands", result.StdoutLines[0], StringComparison.Ordinal);
        Assert.Equal("   1  exit 0        1.5s  /srv/app  $ git pull", result.StdoutLines[1]);
        Assert.Equal("   2  exit 2        1.5s  /srv/app  $ make test", result.StdoutLines[2]);
    }

    [Fact]
    public async Task Show_grep_filters_case_insensitively_and_json_has_the_commands()
    {
        Record("deploy", ["git pull", "make test", "GIT push"]);

        var result = await RunAsync("rec", "show", "deploy", "--grep", "git", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.Equal("deploy", json.GetProperty("name").GetString());
        var commands = json.GetProperty("commands").EnumerateArray().ToList();
        Assert.Equal([1, 3], commands.Select(c => c.GetProperty("number").GetInt32()));
        Assert.Equal(["git pull", "GIT push"], commands.Select(c => c.GetProperty("command").GetString()));
        Assert.Equal("/srv/app", commands[0].GetProperty("cwd").GetString());
        Assert.Equal(0, commands[0].GetProperty("exit_code").GetInt32());
        Assert.Equal(1500.0, commands[0].GetProperty("duration_ms").GetDouble());
        Assert.Empty(json.GetProperty("problems").EnumerateArray());
    }

    [Fact]
    public async Task Show_warns_about_a_corrupt_middle_line_by_its_number_and_shows_the_rest()
    {
        var id = Record("deploy", ["one", "two", "three"]);
        var path = _temp.Child(id + ".ndjson");
        var lines = await File.ReadAllLinesAsync(path);
        lines[2] = "{ this is not json"; // line 3: the second command
        await File.WriteAllLinesAsync(path, lines);

        var result = await RunAsync("rec", "show", "deploy");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.StderrLines, line => line.StartsWith("tether: rec show: warning:", StringComparison.Ordinal)
                                                    && line.Contains("line 3", StringComparison.Ordinal)
                                                    && line.Contains("corrupt-line", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, line => line.EndsWith("$ one", StringComparison.Ordinal));
        Assert.Contains(result.StdoutLines, line => line.EndsWith("$ three", StringComparison.Ordinal));
        Assert.DoesNotContain(result.StdoutLines, line => line.EndsWith("$ two", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_name_fails_with_one_line_suggesting_the_closest_names()
    {
        Record("deploy", ["ls"]);

        var result = await RunAsync("rec", "show", "deplo");

        Assert.Equal(1, result.ExitCode);
        var line = result.SingleErrorLine();
        Assert.Contains("rec show:", line, StringComparison.Ordinal);
        Assert.Contains("did you mean", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("deploy", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_is_found_by_its_id_too()
    {
        var id = Record("deploy", ["ls"]);

        var result = await RunAsync("rec", "show", id, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("deploy", result.Json().GetProperty("name").GetString());
    }

    [Fact]
    public async Task Search_finds_commands_across_sessions_as_text_or_regex()
    {
        Record("a", ["git pull", "make"]);
        Record("b", ["ls", "Git status"]);

        var text = await RunAsync("rec", "search", "git");
        var regex = await RunAsync("rec", "search", "^git", "--regex", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(["a:1  git pull", "b:2  Git status"], text.StdoutLines);
        Assert.True(regex.ExitCode == 0, regex.ToString());
        var match = Assert.Single(regex.Json().GetProperty("matches").EnumerateArray());
        Assert.Equal("a", match.GetProperty("session").GetString());
        Assert.Equal(1, match.GetProperty("number").GetInt32());
        Assert.Equal("git pull", match.GetProperty("command").GetString());
    }

    [Fact]
    public async Task Search_with_a_bad_regex_is_a_usage_error()
    {
        var result = await RunAsync("rec", "search", "(", "--regex");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("regular expression", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rename_tag_untag_and_copy_change_the_store()
    {
        Record("deploy", ["ls"]);

        Assert.Equal(0, (await RunAsync("rec", "rename", "deploy", "release")).ExitCode);
        Assert.Equal(0, (await RunAsync("rec", "tag", "release", "prod", "k8s")).ExitCode);
        Assert.Equal(0, (await RunAsync("rec", "untag", "release", "k8s")).ExitCode);
        var copy = await RunAsync("rec", "copy", "release", "release-2");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.False(_store.TryFind("deploy", out _));
        Assert.Equal(["prod"], _store.Load("release").Session.Header.Tags.ToArray());
        Assert.Equal(["prod"], _store.Load("release-2").Session.Header.Tags.ToArray());
        Assert.NotEqual(_store.Load("release").Session.Id, _store.Load("release-2").Session.Id);
    }

    [Fact]
    public async Task Rename_to_a_taken_name_fails_with_one_line()
    {
        Record("a", ["ls"]);
        Record("b", ["ls"]);

        var result = await RunAsync("rec", "rename", "a", "b");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("already exists", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_refuses_without_yes_when_stdin_is_not_a_terminal_and_deletes_with_it()
    {
        Record("scratch", ["ls"]);

        var refused = await RunAsync("rec", "delete", "scratch");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("--yes", refused.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(_store.TryFind("scratch", out _));

        var deleted = await RunAsync("rec", "delete", "scratch", "--yes");

        Assert.True(deleted.ExitCode == 0, deleted.ToString());
        Assert.False(_store.TryFind("scratch", out _));
    }

    [Fact]
    public async Task Diff_shows_commands_only_in_a_only_in_b_and_common()
    {
        Record("a", ["git pull", "make", "make test"]);
        Record("b", ["git pull", "make lint", "make test"]);

        var text = await RunAsync("rec", "diff", "a", "b");
        var json = await RunAsync("rec", "diff", "a", "b", "--json");

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Equal(["--- a", "+++ b", "  git pull", "- make", "+ make lint", "  make test", "1 only in a, 1 only in b, 2 common"], text.StdoutLines);
        var doc = json.Json();
        Assert.Equal(1, doc.GetProperty("only_a").GetInt32());
        Assert.Equal(1, doc.GetProperty("only_b").GetInt32());
        Assert.Equal(2, doc.GetProperty("common").GetInt32());
        Assert.Equal(["both", "a", "b", "both"], doc.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("side").GetString()));
    }

    [Fact]
    public async Task Stats_counts_sessions_commands_failures_programs_and_time()
    {
        Record("a", ["git pull", "make", "git push"], exitCodes: [0, 2, 0]);
        Record("b", ["git status"], exitCodes: [1]);

        var all = await RunAsync("rec", "stats", "--json");
        var one = await RunAsync("rec", "stats", "b", "--json");
        var text = await RunAsync("rec", "stats");

        Assert.True(all.ExitCode == 0, all.ToString());
        var doc = all.Json();
        Assert.Equal(2, doc.GetProperty("sessions").GetInt32());
        Assert.Equal(4, doc.GetProperty("commands").GetInt32());
        Assert.Equal(2, doc.GetProperty("failed").GetInt32());
        Assert.Equal(6000.0, doc.GetProperty("duration_ms").GetDouble());
        var top = doc.GetProperty("programs")[0];
        Assert.Equal("git", top.GetProperty("program").GetString());
        Assert.Equal(3, top.GetProperty("count").GetInt32());
        Assert.Equal(1, one.Json().GetProperty("commands").GetInt32());
        Assert.Contains("programs  git (3), make (1)", text.StdoutLines);
    }

    [Fact]
    public async Task Every_verb_has_a_help_page()
    {
        foreach (var verb in new[] { "list", "show", "search", "rename", "tag", "untag", "delete", "copy", "diff", "stats" })
        {
            var result = await RunAsync("rec", verb, "--help");
            Assert.True(result.ExitCode == 0, $"{verb}: {result}");
            Assert.Contains(verb, result.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_recovered_session_is_marked_recovered_by_list_and_show()
    {
        var id = Guid.NewGuid().ToString("D");
        using (var writer = _store.Create(new SessionHeader { Id = id, Name = "deploy", Shell = "bash", Started = Start, Recovered = true }))
        {
            writer.Append(new RecordedCommand { Index = 0, Command = "make", Cwd = "/srv/app", Started = Start });
            writer.Finish(new SessionFooter { Ended = Start, CommandCount = 1, Status = SessionStatus.Interrupted });
        }

        Record("ordinary", ["ls"]);

        var list = await RunAsync("rec", "list");
        var show = await RunAsync("rec", "show", "deploy");
        var showJson = await RunAsync("rec", "show", "deploy", "--json");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Matches(@"(?m)^deploy\s.*\srecovered\s*$", list.Stdout);
        Assert.DoesNotMatch(@"(?m)^ordinary\s.*recovered", list.Stdout);
        Assert.Contains("recovered (its shell died while recording)", show.StdoutLines[0], StringComparison.Ordinal);
        Assert.True(System.Text.Json.JsonDocument.Parse(showJson.Stdout).RootElement.GetProperty("recovered").GetBoolean());
    }

    /// <summary>Records a finished session in the store; returns its id.</summary>
    private string Record(string name, string[] commands, string[]? tags = null, int[]? exitCodes = null)
    {
        var id = Guid.NewGuid().ToString("D");
        using var writer = _store.Create(new SessionHeader
        {
            Id = id,
            Name = name,
            Shell = "bash",
            Started = Start,
            Tags = [.. tags ?? []],
        });
        for (var i = 0; i < commands.Length; i++)
        {
            writer.Append(new RecordedCommand
            {
                Index = i,
                Command = commands[i],
                Cwd = "/srv/app",
                Started = Start.AddSeconds(i * 2),
                Ended = Start.AddSeconds((i * 2) + 1.5),
                ExitCode = exitCodes?[i] ?? 0,
                Duration = TimeSpan.FromSeconds(1.5),
            });
        }

        writer.Finish(new SessionFooter { Ended = Start.AddMinutes(1), CommandCount = commands.Length, Status = SessionStatus.Completed });
        return id;
    }

    /// <summary>Runs the built tool with <c>TETHER_SESSIONS_DIR</c> set to this spec's store and stdin not a terminal.</summary>
    private Task<CliResult> RunAsync(params string[] args) =>
        Tool.RunChildAsync(args, new Dictionary<string, string?> { [SessionStore.DirectoryVariable] = _temp.Path });
}
