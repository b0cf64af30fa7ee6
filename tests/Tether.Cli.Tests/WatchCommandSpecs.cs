using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;
using Tether.Watch;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether watch</c>: its help, its usage errors, a socket path it cannot use, and real runs over a Unix socket in a
/// temp directory — beaten by <c>tether beat</c> — as a child process stopped by a real SIGINT, and in-process with a
/// recovery command and an audit log that <c>tether audit verify</c> accepts.
/// </summary>
public sealed class WatchCommandSpecs : IDisposable
{

    private readonly TempDirectory _temp = new();

    private string SocketPath => _temp.Child("watch.sock");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Watch_help_shows_the_usage_every_option_the_trust_rules_the_exit_codes_and_examples()
    {
        var result = await Tool.RunAsync("watch", "--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("tether watch (--socket PATH | --udp ADDR:PORT) [--threshold DURATION]", result.Stdout, StringComparison.Ordinal);
        foreach (var option in new[]
        {
            "--socket", "--threshold", "--udp", "--trust-udp", "--allow-cross-namespace", "--recovery-exec", "--recovery-exec-file",
            "--recovery-debounce", "--recovery-timeout", "--recovery-env", "--recovery-inherit-env", "--capture-bytes",
            "--audit-file", "--export-file", "--metrics", "--metrics-token-file", "--capacity", "--all-beats", "--json",
        })
        {
            Assert.Contains(option + " ", result.Stdout, StringComparison.Ordinal);
        }

        Assert.Contains("Who is trusted:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 stopped by a signal; 1 the socket, files or options could not be used; 2 usage.", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Examples:", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(result.Stderr);
        Assert.Contains("watch", (await Tool.RunAsync("--help")).Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[] { }, "watch: nowhere to receive beats: give --socket PATH")]
    [InlineData(new[] { "--threshold", "1s" }, "watch: nowhere to receive beats")]
    [InlineData(new[] { "--socket", "" }, "--socket: the path is empty")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--recovery-env", "A=B" }, "--recovery-env: it configures recovery, so it needs --recovery-exec or --recovery-exec-file as well.")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--recovery-timeout", "5s" }, "--recovery-timeout: it configures recovery")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--recovery-exec", "/bin/true {pid}", "--recovery-exec-file", "/etc/hostname" }, "watch: --recovery-exec and --recovery-exec-file both given: choose one.")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--recovery-exec", "'unclosed {pid}" }, "--recovery-exec: ")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--threshold", "5x" }, "--threshold: '5x' is not a duration")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--threshold", "5" }, "--threshold: '5' is not a duration")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--threshold", "0s" }, "--threshold: '0s' is zero")]
    [InlineData(new[] { "--udp", "localhost:9000" }, "--udp: 'localhost:9000' is not an address and port")]
    [InlineData(new[] { "--udp", "127.0.0.1" }, "--udp: '127.0.0.1' is not an address and port")]
    [InlineData(new[] { "--udp", "127.0.0.1:99999" }, "--udp: '127.0.0.1:99999' is not an address and port")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--capacity", "0" }, "--capacity: '0' is not a whole number from 1 to 65536")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--metrics-token-file", "/etc/hostname" }, "--metrics-token-file: it protects the metrics endpoint")]
    [InlineData(new[] { "--socket", "/tmp/w.sock", "--tresh", "1s" }, "'--tresh'")]
    public async Task A_wrong_command_line_exits_2_with_one_line_saying_what_to_write(string[] options, string message)
    {
        var result = await Tool.RunAsync(["watch", .. options], stdin: null);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(message, result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_regular_file_at_the_socket_path_exits_1_with_one_line_and_is_left_untouched()
    {
        File.WriteAllText(SocketPath, "precious");

        var result = await Tool.RunAsync("watch", "--socket", SocketPath, "--threshold", "1s");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"watch: Cannot listen at unix:{SocketPath}: a regular file is there", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(result.Stdout);
        Assert.Equal("precious", File.ReadAllText(SocketPath));
    }

    [Fact]
    public async Task An_audit_file_that_cannot_be_opened_exits_1_with_one_line_and_leaves_no_socket_behind()
    {
        // Regression: AuditLogException is not an IOException, and once escaped the start-up handler with a stack trace.
        var audit = _temp.Child("missing-directory/audit.tsv");

        var result = await Tool.RunAsync("watch", "--socket", SocketPath, "--threshold", "1s", "--audit-file", audit);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"watch: The audit log '{audit}' cannot be opened", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.False(Path.Exists(SocketPath));
    }

    [Fact]
    public async Task A_watch_process_prints_json_lines_for_a_new_agent_and_its_stall_and_SIGINT_stops_it_with_exit_0_removing_the_socket()
    {
        // Arrange
        using var watch = StartTool(["watch", "--socket", SocketPath, "--threshold", "300ms", "--json"]);
        var lines = new ConcurrentQueue<string>();
        var reading = ReadLinesAsync(watch.StandardOutput, lines);
        var stderr = watch.StandardError.ReadToEndAsync();
        try
        {
            await Tool.EventuallyAsync(() => Path.Exists(SocketPath), "the watcher listens");

            // Act: three beats from this process (tether beat runs in-process), then silence; then Ctrl+C.
            var beat = await Tool.RunAsync("beat", "--socket", SocketPath, "--count", "3", "--every", "20ms");
            Assert.True(beat.ExitCode == 0, beat.ToString());
            await Tool.EventuallyAsync(() => Events(lines).Any(e => Kind(e) == "stall_detected"), "the stall is printed");
            Processes.Signal(watch.Id, Processes.SigInt);
            await watch.WaitForExitAsync().WaitAsync(Tool.Hang);
            await reading.WaitAsync(Tool.Hang);

            // Assert
            Assert.True(watch.ExitCode == 0, $"exit {watch.ExitCode}; stderr: {await stderr.WaitAsync(Tool.Hang)}");
            Assert.Empty(await stderr.WaitAsync(Tool.Hang));
            Assert.False(Path.Exists(SocketPath), "the socket file is removed");
            var events = Events(lines);
            var accepted = Assert.Single(events, e => Kind(e) == "beat_accepted"); // only an agent's first beat, without --all-beats
            Assert.Equal(Environment.ProcessId, accepted.GetProperty("pid").GetInt32());
            Assert.Equal(1, accepted.GetProperty("nonce").GetInt32());
            Assert.Equal("kernel_attested", accepted.GetProperty("origin").GetString());
            Assert.True(accepted.GetProperty("new_agent").GetBoolean());
            var stall = events.First(e => Kind(e) == "stall_detected");
            Assert.Equal(Environment.ProcessId, stall.GetProperty("pid").GetInt32());
            Assert.Equal("kernel_attested", stall.GetProperty("origin").GetString());
            Assert.True(stall.GetProperty("silent_ms").GetInt64() >= 300, stall.ToString());
            Assert.True(events.FindIndex(e => Kind(e) == "beat_accepted") < events.FindIndex(e => Kind(e) == "stall_detected"));
        }
        finally
        {
            Cleanup(watch);
        }
    }

    [Fact]
    public async Task A_watch_runs_the_recovery_command_for_a_stalled_agent_and_its_audit_log_verifies()
    {
        // Arrange: the recovery is exec of /bin/sh with argv: it appends the pid it was given to a file.
        var record = _temp.Child("recovered");
        var audit = _temp.Child("audit.tsv");
        using var interruption = new Interruption();
        var (run, console) = Tool.Start(
            ["watch", "--socket", SocketPath, "--threshold", "300ms", "--json", "--audit-file", audit,
             "--recovery-exec", $"/bin/sh -c 'echo \"$1\" >> \"$2\"' recover {{pid}} '{record}'", "--recovery-timeout", "30s"],
            interruption);
        try
        {
            await Tool.EventuallyAsync(() => Path.Exists(SocketPath), "the watcher listens");

            // Act
            var beat = await Tool.RunAsync("beat", "--socket", SocketPath);
            Assert.True(beat.ExitCode == 0, beat.ToString());
            await Tool.EventuallyAsync(() => Events(Lines(console.Stdout)).Any(e => Kind(e) == "recovery_completed"), "the recovery ends");
        }
        finally
        {
            interruption.Request();
        }

        var exitCode = await run.WaitAsync(Tool.Hang);
        var verify = await Tool.RunAsync("audit", "verify", audit);

        // Assert
        Assert.True(exitCode == 0, console.Stderr);
        var events = Events(Lines(console.Stdout));
        Assert.Equal(["beat_accepted", "stall_detected", "recovery_started", "recovery_completed"], events.Select(Kind));
        var completed = events.Single(e => Kind(e) == "recovery_completed");
        Assert.Equal(("exited", 0), (completed.GetProperty("result").GetString(), completed.GetProperty("exit_code").GetInt32()));
        Assert.Equal([Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], File.ReadAllLines(record));
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal([$"{audit}: ok, 3 rows, seq 1–3"], verify.StdoutLines);
        Assert.False(Path.Exists(SocketPath));
    }

    private static Process StartTool(string[] args) => Tool.StartChild(args);

    private static async Task ReadLinesAsync(StreamReader reader, ConcurrentQueue<string> lines)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lines.Enqueue(line);
        }
    }

    private static void Cleanup(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static List<JsonElement> Events(IEnumerable<string> lines)
    {
        var events = new List<JsonElement>();
        foreach (var line in lines)
        {
            using var document = JsonDocument.Parse(line);
            events.Add(document.RootElement.Clone());
        }

        return events;
    }

    private static string? Kind(JsonElement e) => e.GetProperty("event").GetString();
}
