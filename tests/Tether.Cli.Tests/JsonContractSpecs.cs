using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;
using Tether.Sessions;
using Tether.Supervisor;
using Tether.Supervisor.Tests.Control;
using Tether.Watch;
using CliCommand = System.CommandLine.Command;

namespace Tether.Cli.Tests;

/// <summary>
/// Every verb that has <c>--json</c> keeps the one contract of docs/cli.md ("JSON output"): each line of stdout is a
/// JSON object whose first key is <c>json_version</c>; a duration is only ever <c>duration_ms</c>; a failure ends with
/// an <c>error</c> object (<c>code</c>, <c>message</c>). The verbs are found by walking the tree of verbs, so a new
/// verb with <c>--json</c> fails here until it has a case below.
/// </summary>
public sealed class JsonContractSpecs : IDisposable
{
    private const string Cassette = """
        {"version": 1, "entries": [{"program": "git", "args": ["status"], "stdout": "clean\n", "stderr": "", "code": 0}]}
        """;

    private readonly TempDirectory _temp = new();

    public JsonContractSpecs()
    {
        Directory.CreateDirectory(Sessions);
        Directory.CreateDirectory(_temp.Child("home"));
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>The path (<c>journal show</c>, <c>run</c>, …) of every verb in the tree that has a <c>--json</c> option.</summary>
    public static TheoryData<string> VerbsWithJson() => [.. VerbPaths()];

    private static List<string> VerbPaths()
    {
        using var interruption = new Interruption();
        var root = TetherApp.Build(new VerbContext(new CapturedConsole().Console, interruption, ProcessRunner.Default));
        return [.. Walk(root, "")];
    }

    [Fact]
    public void The_walk_finds_the_verbs_known_to_have_json()
    {
        var found = VerbPaths();

        // A floor, not the list: the theories below run every verb found, known here or not.
        Assert.Contains("run", found);
        Assert.Contains("journal tail", found);
        Assert.Contains("cassette verify", found);
        Assert.Contains("audit verify", found);
        Assert.Contains("rec show", found);
        Assert.Contains("watch", found);
        Assert.Contains("status", found);
        Assert.Contains("down", found);
        Assert.DoesNotContain("journal append", found);
    }

    [Theory]
    [MemberData(nameof(VerbsWithJson))]
    public async Task A_verb_that_succeeds_prints_only_enveloped_json(string verb)
    {
        var result = await RunAsync(verb, succeed: true);

        Assert.True(result.ExitCode == 0, $"{verb}: {result}");
        Assert.NotEmpty(result.StdoutLines);
        foreach (var line in result.StdoutLines)
        {
            CheckEnvelope(verb, line);
        }

        using var last = JsonDocument.Parse(result.StdoutLines[^1]);
        if (last.RootElement.TryGetProperty("error", out var error))
        {
            Assert.True(error.ValueKind == JsonValueKind.Null, $"{verb}: a success has no error: {result.StdoutLines[^1]}");
        }
    }

    [Theory]
    [MemberData(nameof(VerbsWithJson))]
    public async Task A_verb_that_fails_ends_its_json_with_the_error_object_and_the_same_exit_code(string verb)
    {
        var withJson = await RunAsync(verb, succeed: false);
        var withoutJson = await RunAsync(verb, succeed: false, json: false);

        Assert.True(withJson.ExitCode is not (0 or 130), $"{verb}: {withJson}");
        Assert.Equal(withoutJson.ExitCode, withJson.ExitCode);
        Assert.NotEmpty(withJson.StdoutLines);
        foreach (var line in withJson.StdoutLines)
        {
            CheckEnvelope(verb, line);
        }

        using var last = JsonDocument.Parse(withJson.StdoutLines[^1]);
        Assert.True(last.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object, $"{verb}: no error object: {withJson}");
        Assert.Equal(["code", "message"], error.EnumerateObject().Select(p => p.Name));
        Assert.Matches("^[a-z_]+$", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));

        // The stderr line is there with or without --json.
        Assert.NotEmpty(withJson.Stderr);
        Assert.NotEmpty(withoutJson.Stderr);
    }

    [Fact]
    public async Task A_usage_error_with_json_is_the_error_object_with_exit_2()
    {
        var result = await Tool.RunAsync("journal", "show", JournalDir, "--since", "yesterday-ish", "--json");

        Assert.Equal(2, result.ExitCode);
        CheckEnvelope("journal show", Assert.Single(result.StdoutLines));
        Assert.Equal("usage", result.Json().GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("--since", result.Json().GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private string JournalDir => _temp.Child("journal");

    private string Missing => _temp.Child("missing");

    private string Sessions => _temp.Child("sessions");

    private string TracePath => _temp.Child("watch.trace");

    private static IEnumerable<string> Walk(CliCommand command, string prefix)
    {
        foreach (var child in command.Subcommands)
        {
            var path = prefix.Length == 0 ? child.Name : prefix + " " + child.Name;
            if (child is Verb { JsonOption: not null })
            {
                yield return path;
            }

            foreach (var inner in Walk(child, path))
            {
                yield return inner;
            }
        }
    }

    /// <summary>One line: a JSON object, <c>json_version</c> first and 1, and no duration under another name or unit.</summary>
    private static void CheckEnvelope(string verb, string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.True(root.ValueKind == JsonValueKind.Object, $"{verb}: not an object: {line}");
        var first = root.EnumerateObject().First();
        Assert.True(first.Name == "json_version" && first.Value.GetInt32() == 1, $"{verb}: json_version is not first: {line}");
        CheckDurations(verb, root, line);
    }

    private static void CheckDurations(string verb, JsonElement element, string line)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CheckDurations(verb, item, line);
            }
        }
        else if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                var name = property.Name;
                Assert.False(name.EndsWith("_seconds", StringComparison.Ordinal) || name.EndsWith("_secs", StringComparison.Ordinal), $"{verb}: a duration in seconds ({name}): {line}");
                if (name.Contains("duration", StringComparison.Ordinal))
                {
                    Assert.True(name == "duration_ms" && property.Value.ValueKind is JsonValueKind.Number or JsonValueKind.Null, $"{verb}: a duration not as duration_ms: {line}");
                }

                CheckDurations(verb, property.Value, line);
            }
        }
    }

    private async Task<CliResult> RunAsync(string verb, bool succeed, bool json = true)
    {
        await ArrangeAsync();
        string[] flag = json ? ["--json"] : [];
        return verb switch
        {
            "run" => await Tool.RunAsync(succeed ? Dummy.Run(flag, "exit", "0") : ["run", .. flag, "--", "tether-spec-no-such-program"]),
            "cassette show" or "cassette verify" => await Tool.RunAsync([.. verb.Split(' '), succeed ? _temp.Child("cassette.json") : Missing, .. flag]),
            "journal show" or "journal tail" or "journal verify" or "journal stats" => await Tool.RunAsync([.. verb.Split(' '), succeed ? JournalDir : Missing, .. flag]),
            "journal prune" => await Tool.RunAsync([.. verb.Split(' '), succeed ? JournalDir : Missing, "--max-age", "30d", .. flag]),
            "audit verify" => await Tool.RunAsync([.. verb.Split(' '), succeed ? _temp.Child("audit.log") : Missing, .. flag]),
            "rec list" => await RecAsync([.. verb.Split(' '), .. flag], sessions: succeed ? Sessions : _temp.Child("cassette.json")),
            "rec stats" or "rec show" or "rec replay" => await RecAsync([.. verb.Split(' '), succeed ? "deploy" : "no-such-session", .. verb == "rec replay" ? new[] { "--dry-run" } : [], .. flag]),
            "rec diff" => await RecAsync([.. verb.Split(' '), "deploy", succeed ? "scratch" : "no-such-session", .. flag]),
            "rec search" => await RecAsync([.. verb.Split(' '), succeed ? "make" : "(", "--regex", .. flag]),
            "rec import" => await RecAsync([.. verb.Split(' '), succeed ? _temp.Child("history") : Missing, "--format", "bash-history", .. flag]),
            "rec status" => await RecAsync([.. verb.Split(' '), .. flag], state: succeed ? null : _temp.Child("cassette.json")),
            "rec doctor" => await RecAsync([.. verb.Split(' '), .. flag], sessions: succeed ? Sessions : _temp.Child("cassette.json")),
            "watch" => await WatchAsync(succeed, flag),
            "status" or "logs" or "start" or "stop" or "restart" or "scale" or "reload" or "down" => await SupervisorAsync(verb, succeed, flag),
            "trace info" or "trace events" or "trace verify" or "trace replay" => await Tool.RunAsync([.. verb.Split(' '), succeed ? TracePath : Missing, .. flag]),
            "trace diff" => await Tool.RunAsync([.. verb.Split(' '), TracePath, succeed ? TracePath : Missing, .. flag]),
            "trace explain" => await Tool.RunAsync([.. verb.Split(' '), succeed ? TracePath : Missing, "--pid", "4242", .. flag]),
            "lab run" => await Tool.RunAsync([.. verb.Split(' '), "--engine", succeed ? "watch" : "no-such-engine", "--seeds", "1..2", "--events", "2000", "--out", _temp.Path, .. flag]),
            _ => throw new Xunit.Sdk.XunitException($"'{verb}' has --json but no case in {nameof(JsonContractSpecs)}: add one that succeeds and one that fails."),
        };
    }

    /// <summary>A journal with one record, a cassette, an audit log, two recorded sessions and a history file.</summary>
    private async Task ArrangeAsync()
    {
        if (Directory.Exists(JournalDir))
        {
            return;
        }

        var journal = await Journal.OpenAsync(JournalDir);
        await using (journal)
        {
            await journal.AppendAsync(new JournalEntry("deploy.started", "web-1", null));
        }

        await File.WriteAllTextAsync(_temp.Child("cassette.json"), Cassette);
        await File.WriteAllBytesAsync(TracePath, TraceFixture.Bytes());
        await File.WriteAllTextAsync(_temp.Child("history"), "make\nmake test\n");
        using (var log = AuditLog.Open(_temp.Child("audit.log")))
        {
            log.Boot("1.0", "spec");
        }

        var store = SessionStore.Open(Sessions);
        foreach (var name in new[] { "deploy", "scratch" })
        {
            var started = new DateTimeOffset(2024, 5, 1, 9, 30, 0, TimeSpan.Zero);
            using var writer = store.Create(new SessionHeader { Id = Guid.NewGuid().ToString("D"), Name = name, Shell = "bash", Os = "linux", Started = started });
            writer.Append(new RecordedCommand { Index = 0, Command = "make", Cwd = _temp.Path, Started = started, Ended = started.AddSeconds(1.5), ExitCode = 0, Duration = TimeSpan.FromSeconds(1.5) });
            writer.Finish(new SessionFooter { Ended = started.AddSeconds(2), CommandCount = 1, Status = SessionStatus.Completed });
        }
    }

    /// <summary>A rec verb as a child process, so that its store and shell variables are its own.</summary>
    private Task<CliResult> RecAsync(string[] args, string? sessions = null, string? state = null) =>
        Tool.RunChildAsync(args, new Dictionary<string, string?>
        {
            [SessionStore.DirectoryVariable] = sessions ?? Sessions,
            [RecordingDirectory.DirectoryVariable] = state ?? _temp.Child("state"),
            [RecordingShell.PidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
            [RecordingShell.ShellVariable] = "bash",
            ["HOME"] = _temp.Child("home"),
        }, _temp.Path);

    /// <summary>
    /// A verb that talks to a supervisor: the control API of a fake one in a project directory, or a directory where none
    /// runs. <c>down</c> waits until the supervisor is gone, so the fake's server closes once the verb asked for it.
    /// </summary>
    private async Task<CliResult> SupervisorAsync(string verb, bool succeed, string[] flag)
    {
        var project = _temp.Child(succeed ? "project" : "idle");
        Directory.CreateDirectory(project);
        string[] args = [verb, .. verb switch { "start" or "stop" or "restart" => ["web"], "scale" => ["web=2"], _ => Array.Empty<string>() }, "--file", project, .. flag];
        if (!succeed)
        {
            return await Tool.RunAsync(args);
        }

        var control = new FakeSupervisorControl { Pid = Environment.ProcessId };
        control.Backlog.Add(new LogLine(FakeSupervisorControl.Started, new InstanceId("web", 0), LogStream.Stdout, "listening on :8000"));
        var server = ControlServer.Listen(control, ControlSocket.ForProject(project));
        try
        {
            var run = Tool.RunAsync(args);
            if (verb == "down")
            {
                await Tool.EventuallyAsync(() => control.Shutdowns.Count == 1 && control.Followers == 1, "down asked and waits");
                await server.DisposeAsync();
            }

            return await run;
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>
    /// A watcher that hears one beat and is then stopped, as Ctrl+C stops it; or one that cannot listen, its socket in a
    /// directory that does not exist.
    /// </summary>
    private async Task<CliResult> WatchAsync(bool succeed, string[] flag)
    {
        if (!succeed)
        {
            return await Tool.RunAsync(["watch", "--socket", Path.Combine(Missing, "watch.sock"), .. flag]);
        }

        var socket = _temp.Child("watch.sock");
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(["watch", "--socket", socket, "--threshold", "10m", .. flag], interruption);
        try
        {
            await Tool.EventuallyAsync(() => Path.Exists(socket), "the watcher listens");
            var beat = await Tool.RunAsync("beat", "--socket", socket);
            Assert.True(beat.ExitCode == 0, beat.ToString());
            await Tool.EventuallyAsync(() => console.Stdout.Length > 0, "the beat is printed");
        }
        finally
        {
            interruption.Request();
        }

        var exitCode = await run.WaitAsync(Tool.Hang);
        return new CliResult(exitCode, console.Stdout, console.Stderr);
    }
}
