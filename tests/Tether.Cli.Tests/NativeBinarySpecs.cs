using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// The native <c>tether</c> — the binary the README builds and users put on their PATH — does what the in-process
/// specs prove of the same code: a smoke subset of every verb family, so that what only breaks ahead-of-time (a type
/// trimmed away, reflection that is not there, JSON without its generated context) fails here.
/// </summary>
public sealed partial class NativeBinarySpecs(NativeTether native) : IClassFixture<NativeTether>, IDisposable
{
    private static readonly Dictionary<string, string?> Plain = [];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_native_version_is_the_repository_version_the_tool_reports()
    {
        var nativeVersion = await RunAsync("--version");
        var built = typeof(TetherApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.True(nativeVersion.ExitCode == 0, nativeVersion.ToString());
        Assert.Matches(@"^0\.\d+\.0", Assert.Single(nativeVersion.StdoutLines));
        Assert.Equal([built], nativeVersion.StdoutLines);
    }

    [Fact]
    public async Task The_native_help_lists_the_verbs_and_the_exit_codes_under_the_name_tether()
    {
        var result = await RunAsync("--help");
        var verb = await RunAsync("run", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("tether VERB [options]", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes", result.Stdout, StringComparison.Ordinal);
        foreach (var name in new[] { "run", "cassette", "journal", "beat", "watch", "rec", "audit" })
        {
            Assert.Contains($"  {name} ", result.Stdout, StringComparison.Ordinal);
        }

        Assert.True(verb.ExitCode == 0, verb.ToString());
        Assert.Contains("--timeout", verb.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_native_run_passes_output_through_mirrors_the_exit_code_and_times_out_with_124()
    {
        var exited = await RunAsync("run", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        var timedOut = await RunAsync("run", "--timeout", "300ms", "--", "/bin/sleep", "30");
        var missing = await RunAsync("run", "--", "/nonexistent/program");

        Assert.Equal(3, exited.ExitCode);
        Assert.Equal(["out"], exited.StdoutLines);
        Assert.Contains("err", exited.StderrLines);
        Assert.Equal(124, timedOut.ExitCode);
        Assert.Contains("timed out after 300ms", timedOut.Stderr, StringComparison.Ordinal);
        Assert.Equal(127, missing.ExitCode);
    }

    [Fact]
    public async Task A_native_run_and_a_usage_error_write_the_json_envelope()
    {
        var run = await RunAsync("run", "--json", "--", "/bin/sh", "-c", "exit 5");
        var usage = await RunAsync("run", "--json", "--timeout", "soon", "--", "/bin/true");

        Assert.Equal(5, run.ExitCode);
        var result = run.Json();
        Assert.Equal(1, result.GetProperty("json_version").GetInt32());
        Assert.Equal("exited", result.GetProperty("outcome").GetString());
        Assert.Equal(5, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(2, usage.ExitCode);
        Assert.Equal("usage", usage.Json().GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_native_journal_records_a_run_and_an_append_and_shows_them()
    {
        var journal = _temp.Child("journal");

        var run = await RunAsync("run", "--journal", journal, "--", "/bin/echo", "journaled");
        var append = await RunAsync("journal", "append", journal, "--type", "note.added", "--data", """{"text":"by hand"}""");
        var show = await RunAsync("journal", "show", journal, "--json");
        var verify = await RunAsync("journal", "verify", journal);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(append.ExitCode == 0, append.ToString());
        Assert.True(show.ExitCode == 0, show.ToString());
        var types = show.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()).ToList();
        Assert.Equal(["job.submitted", "job.started", "job.command", "job.completed", "note.added"], types);
        Assert.Contains("by hand", show.StdoutLines[^1], StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task A_native_cassette_records_a_run_replays_it_and_shows_it()
    {
        var cassette = _temp.Child("cassette.json");
        var marker = _temp.Child("ran");

        var recorded = await RunAsync("run", "--cassette", cassette, "--", "/bin/sh", "-c", $"echo recorded; echo x >> '{marker}'");
        var replayed = await RunAsync("run", "--cassette", cassette, "--", "/bin/sh", "-c", $"echo recorded; echo x >> '{marker}'");
        var show = await RunAsync("cassette", "show", cassette, "--json");

        Assert.True(recorded.ExitCode == 0, recorded.ToString());
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Equal(["recorded"], replayed.StdoutLines);
        Assert.Single(File.ReadAllLines(marker)); // the replay spawned nothing
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal(1, show.Json().GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_native_watcher_tracks_a_native_beat_reports_the_stall_and_stops_on_sigterm()
    {
        var socket = _temp.Child("watch.sock");
        using var watcher = Start("watch", "--socket", socket, "--threshold", "300ms", "--json");
        var lines = new List<string>();
        watcher.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        };
        watcher.BeginOutputReadLine();
        watcher.BeginErrorReadLine();
        try
        {
            await Tool.EventuallyAsync(() => File.Exists(socket), "the watcher created its socket");

            var beat = await RunAsync("beat", "--socket", socket, "--count", "1");
            await Tool.EventuallyAsync(() => Kinds(lines).Contains("stall_detected"), "the watcher reported the stall");
            Processes.Signal(watcher.Id, Processes.SigTerm);
            await watcher.WaitForExitAsync().WaitAsync(Tool.Hang);

            Assert.True(beat.ExitCode == 0, beat.ToString());
            Assert.Equal(["beat_accepted", "stall_detected"], Kinds(lines));
            Assert.Equal(0, watcher.ExitCode);
            Assert.False(Path.Exists(socket));
        }
        finally
        {
            if (!watcher.HasExited)
            {
                watcher.Kill();
            }
        }
    }

    [Fact]
    public async Task Native_rec_init_prints_the_bash_hooks_that_bash_loads()
    {
        var hooks = await RunAsync("rec", "init", "bash");
        var loaded = await Tool.RunProgramAsync("/bin/bash", ["--norc", "--noprofile", "-c", $"eval \"$('{native.Path}' rec init bash)\" && declare -F __tether_rec_precmd >/dev/null && echo loaded"],
            new Dictionary<string, string?> { ["TETHER_REC_DIR"] = _temp.Child("rec") });

        Assert.True(hooks.ExitCode == 0, hooks.ToString());
        Assert.Contains("__tether_rec_dir=", hooks.Stdout, StringComparison.Ordinal);
        Assert.True(loaded.ExitCode == 0, loaded.ToString());
        Assert.Equal(["loaded"], loaded.StdoutLines);
    }

    private Task<CliResult> RunAsync(params string[] args) => Tool.RunProgramAsync(native.Path, args, Plain, _temp.Path);

    private Process Start(params string[] args)
    {
        var info = new ProcessStartInfo(native.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    private static List<string> Kinds(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()!)];
        }
    }
}
