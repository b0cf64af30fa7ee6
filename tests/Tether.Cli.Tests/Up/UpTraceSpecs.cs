using System.Diagnostics;
using System.Text;
using Tether.Cli.Tests.Infrastructure;
using Tether.Lab;
using Tether.Supervisor;
using Tether.Tests.Infrastructure;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// <c>tether up --trace FILE</c> records the supervisor's engine: a run with a crash and a restart replays identically
/// through <c>tether trace replay</c> and the library, <c>tether trace explain --service</c> tells why the service
/// restarted, and <c>tether lab run --engine supervisor</c> holds every invariant over a seed range.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UpTraceSpecs
{
    [Fact]
    public async Task A_traced_up_with_a_crash_and_a_restart_replays_identically_and_explains_the_restart()
    {
        using var project = new StackProject("""
            services:
              web:
                shell: "echo start >> $DIR/starts; if [ $(wc -l < $DIR/starts) -lt 2 ]; then exit 3; fi; exec $DIR/sleeper 1000"
                backoff: {initial: 50ms}
            """);
        var trace = Path.Combine(project.Directory, "up.trace");
        using var up = Tool.StartChild(["up", "-f", project.YamlPath, "--trace", trace, "--trace-keep", "1"]);
        var output = Collect(up);

        await Tool.EventuallyAsync(() => project.Sleepers().Count == 1, $"web crashed once and runs again ({output})", TimeSpan.FromSeconds(30));
        Processes.Signal(up.Id, 15);
        await up.WaitForExitAsync().WaitAsync(Tool.Hang);
        Assert.True(up.ExitCode == 0, $"exit {up.ExitCode}\n{output}");

        var result = TraceAssert.ReplaysIdentically(trace, new SupervisorTrace());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(trace));
        var replay = await Tool.RunAsync("trace", "replay", trace);
        Assert.True(replay.ExitCode == 0, replay.ToString());
        Assert.Equal([$"{trace}: identical, {result.Events} events"], replay.StdoutLines);

        var explain = await Tool.RunAsync("trace", "explain", trace, "--service", "web");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains(explain.StdoutLines, line => line.Contains("exited web#0", StringComparison.Ordinal) && line.Contains("(exit 3)", StringComparison.Ordinal) && line.Contains("restart_scheduled web#0", StringComparison.Ordinal));
        Assert.Equal("service web: 2 starts in the trace.", explain.StdoutLines[^1]);

        var byPid = await Tool.RunAsync("trace", "explain", trace, "--pid", "42");
        Assert.Equal(2, byPid.ExitCode);
        Assert.Equal($"tether: trace explain: '{trace}' is a supervisor trace: name the service with --service NAME.", Assert.Single(byPid.StderrLines));
    }

    [Fact]
    public async Task Lab_run_over_a_seed_range_of_the_shipped_supervisor_engine_breaks_no_invariant()
    {
        var result = await Tool.RunAsync("lab", "run", "--engine", "supervisor", "--seeds", "1..8", "--events", "5000", "--chaos", "heavy", "--out", Path.GetTempPath());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("supervisor: 8 seeds × 5000 events (heavy chaos): no invariant broken, ", Assert.Single(result.StdoutLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "up", "--trace-keep", "2" }, "up: --trace-keep configures the trace, so it needs --trace FILE as well.")]
    [InlineData(new[] { "up", "--trace", "/tmp/up.trace", "--trace-max-size", "4K" }, "up: --trace-max-size: 4K is too small: a trace file needs at least 256K.")]
    [InlineData(new[] { "trace", "explain", "x.trace" }, "trace explain: give --pid N (a watch trace) or --service NAME (a supervisor trace), one of them.")]
    public async Task A_wrong_trace_option_exits_2_with_one_line_saying_what_to_write(string[] args, string message)
    {
        using var project = new StackProject("""
            services:
              web:
                command: [$DIR/sleeper, "1000"]
            """);
        string[] withFile = args[0] == "up" ? [.. args, "-f", project.YamlPath] : args;

        var result = await Tool.RunAsync(withFile);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"tether: {message}", Assert.Single(result.StderrLines));
        Assert.Empty(project.Sleepers());
    }

    private static StringBuilder Collect(Process process)
    {
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return text;
    }
}
