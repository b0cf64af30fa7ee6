using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tether.Watch.Tests;

/// <summary>
/// The whole watcher at work over a real Unix socket (and UDP on loopback), with real agents — this process through
/// <see cref="HeartbeatClient"/>, or python3 children — and real recovery children: stalls and re-arming, recovery with
/// the agent's pid, spoofing refused, UDP refused recovery unless trusted, debounce, a recovery's tree killed on
/// timeout and at shutdown, the audit chain, and the metrics endpoint. Generous bounds only: every wait polls up to
/// <see cref="Bounds.Eventually"/>.
/// </summary>
public sealed class WatcherEndToEndSpecs : IDisposable
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(300);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-watch-e2e-").FullName;
    private readonly WatchEventLog _events = new();

    private string SocketPath => Path.Combine(_directory, "watch.sock");

    private string AuditPath => Path.Combine(_directory, "audit.tsv");

    /// <summary>Where the recording recovery command appends the pid it was given, one line per run.</summary>
    private string RecordPath => Path.Combine(_directory, "recovered");

    private static uint OurPid => (uint)Environment.ProcessId;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task An_agent_is_kernel_attested_stalls_once_per_silence_and_its_next_beat_re_arms_the_stall()
    {
        // Arrange
        var watcher = await StartAsync(Options());
        try
        {
            using var agent = HeartbeatClient.ConnectUnix(SocketPath);

            // Act: three beats, then silence.
            for (var i = 0; i < 3; i++)
            {
                Assert.True(agent.Beat(BeatStatus.Degraded, payload: 7).IsSent);
            }

            var beats = await _events.WaitForCountAsync<WatchEvent.BeatAccepted>(3);
            var firstStall = await _events.WaitForAsync<WatchEvent.StallDetected>();
            await Task.Delay(Threshold * 3); // three more thresholds of silence
            var stallsInOneSilence = _events.OfType<WatchEvent.StallDetected>().Count;

            Assert.True(agent.Beat().IsSent);
            var rearming = await _events.WaitForAsync<WatchEvent.BeatAccepted>(b => b.Nonce == 4);
            var stalls = await _events.WaitForCountAsync<WatchEvent.StallDetected>(2);

            // Assert
            Assert.Equal([1UL, 2UL, 3UL], beats.Select(b => b.Nonce));
            Assert.All(beats, b => Assert.Equal((OurPid, BeatStatus.Degraded, 7u, Origin.KernelAttested), (b.Pid, b.Status, b.Payload, b.Origin)));
            Assert.Equal([true, false, false], beats.Select(b => b.NewAgent));

            Assert.Equal(1, stallsInOneSilence);
            Assert.Equal((OurPid, BeatStatus.Degraded, Origin.KernelAttested), (firstStall.Pid, firstStall.LastStatus, firstStall.Origin));
            Assert.True(firstStall.SilentFor >= Threshold, $"stalled after {firstStall.SilentFor}");

            Assert.False(rearming.NewAgent);
            Assert.Equal(2, stalls.Count);
            Assert.True(stalls[1].At > rearming.At, "the second stall follows the beat that re-armed it");
            Assert.Equal(BeatStatus.Ok, stalls[1].LastStatus);
            Assert.Equal((4L, 2L, 1), (watcher.Engine.Counters.Beats, watcher.Engine.Counters.Stalls, watcher.Engine.Counters.Agents));
        }
        finally
        {
            await watcher.DisposeAsync();
        }

        Assert.False(Path.Exists(SocketPath));
    }

    [Python3Fact]
    public async Task A_stalled_agent_in_another_process_is_recovered_with_its_pid_and_the_audit_chain_catches_an_edited_spawn_row()
    {
        // Arrange
        var watcher = await StartAsync(Options(RecordingRecovery()));
        RunningProcess? agent = null;
        WatchEvent.RecoveryStarted started;
        WatchEvent.RecoveryCompleted completed;
        int agentPid;
        try
        {
            // Act: a python3 agent beats three times with its own pid, then hangs (sleeps).
            (agent, agentPid) = await PythonAgent.StartAsync(SocketPath, beats: 3, every: TimeSpan.FromMilliseconds(50));
            var pid = (uint)agentPid;
            var stall = await _events.WaitForAsync<WatchEvent.StallDetected>(s => s.Pid == pid);
            started = await _events.WaitForAsync<WatchEvent.RecoveryStarted>(r => r.Pid == pid);
            completed = await _events.WaitForAsync<WatchEvent.RecoveryCompleted>(c => c.RecoveryId == started.RecoveryId);

            // Assert
            Assert.Equal(Origin.KernelAttested, stall.Origin);
            Assert.Equal(ProcessFacts.StartTime(agentPid), started.StartTime);
            Assert.Equal(new Outcome.Exited(0), completed.Result.Outcome);
            Assert.Equal(pid, completed.Pid);
            Assert.Equal([agentPid.ToString(CultureInfo.InvariantCulture)], File.ReadAllLines(RecordPath));
            Assert.False(agent.HasExited, "the recovery command only recorded the pid; the agent still sleeps");
        }
        finally
        {
            await watcher.DisposeAsync();
            if (agent is not null)
            {
                await agent.DisposeAsync();
            }
        }

        // Assert: boot, spawn, complete — chained, and verified.
        var verification = AuditVerifier.Verify(AuditPath);
        Assert.True(verification.IsValid, verification.ToString());
        var rows = AuditRows();
        Assert.Equal([AuditRowKind.Boot, AuditRowKind.Spawn, AuditRowKind.Complete], rows.Select(r => r.Kind));
        var spawn = rows[1];
        Assert.Equal(Invariant(started.RecoveryId), spawn["id"]);
        Assert.Equal(Invariant(agentPid), spawn["pid"]);
        Assert.Equal(Invariant(started.StartTime!.Value), spawn["start_time"]);
        Assert.Equal("sh", spawn["program"]);
        Assert.Equal("5", spawn["argc"]); // -c SCRIPT recover {pid} FILE; never the words themselves
        Assert.DoesNotContain(RecordPath, spawn.Line, StringComparison.Ordinal);
        Assert.Equal(("exited", "0"), (rows[2]["outcome"], rows[2]["code"]));
        Assert.Equal(Invariant(agentPid), rows[2]["pid"]);

        // Act: one character of the spawn row changes.
        var text = File.ReadAllText(AuditPath);
        var edited = spawn.Line.Replace("\targc=5", "\targc=6", StringComparison.Ordinal);
        File.WriteAllText(AuditPath, text.Replace(spawn.Line, edited, StringComparison.Ordinal));
        var afterEdit = AuditVerifier.Verify(AuditPath);

        // Assert: the verifier names that row.
        Assert.False(afterEdit.IsValid);
        Assert.Equal(AuditProblemKind.Edited, afterEdit.Problem!.Kind);
        Assert.Equal((3L, 2UL), (afterEdit.Problem.Line, afterEdit.Problem.Seq)); // the header is line 1
        Assert.Equal(1, afterEdit.Rows);
    }

    [Python3Fact]
    public async Task A_frame_claiming_another_processs_pid_fails_authentication_is_counted_and_tracks_no_agent()
    {
        // Arrange
        var watcher = await StartAsync(Options(RecordingRecovery()));
        try
        {
            // Act: a python3 child sends a valid frame that names this process's pid.
            var output = await ProcessRunner.Default.RunAsync(PythonAgent.Command(SocketPath, beats: 1, every: TimeSpan.Zero, framePid: Environment.ProcessId, hold: false));
            var senderPid = int.Parse(output.Split('\n')[0], NumberStyles.None, CultureInfo.InvariantCulture);
            var failed = await _events.WaitForAsync<WatchEvent.AuthenticationFailed>();
            await Task.Delay(Threshold * 3); // long enough for a tracked agent to stall

            // Assert
            Assert.Equal((OurPid, senderPid), (failed.FramePid, failed.SenderPid));
            Assert.NotEqual(Environment.ProcessId, senderPid);
            Assert.Equal(1, watcher.Engine.Counters.AuthenticationFailures);
            Assert.Equal((0, 0L, 0L), (watcher.Engine.Counters.Agents, watcher.Engine.Counters.Beats, watcher.Engine.Counters.Stalls));
            Assert.Empty(_events.OfType<WatchEvent.BeatAccepted>());
            Assert.Empty(_events.OfType<WatchEvent.StallDetected>());
            Assert.False(File.Exists(RecordPath));
        }
        finally
        {
            await watcher.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_agent_beating_over_untrusted_udp_stalls_but_its_recovery_is_refused_as_network_unverified()
    {
        // Arrange: the frames name a real live process, so only the origin can stand in the way.
        await using var target = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));
        var watcher = await StartAsync(Options(RecordingRecovery()) with { SocketPath = null, Udp = new IPEndPoint(IPAddress.Loopback, 0) });
        try
        {
            // Act
            SendUdp(UdpEndpoint(watcher), (uint)target.Pid, beats: 2);
            var stall = await _events.WaitForAsync<WatchEvent.StallDetected>(s => s.Pid == (uint)target.Pid);
            var refused = await _events.WaitForAsync<WatchEvent.RecoveryRefused>();
            await Task.Delay(Threshold); // room for a recovery child to have written, were one started

            // Assert
            Assert.Equal(Origin.NetworkUnverified, stall.Origin);
            Assert.Equal(((uint)target.Pid, RecoveryRefusal.NetworkUnverified), (refused.Pid, refused.Reason));
            Assert.Empty(_events.OfType<WatchEvent.FreshnessCheckRequested>());
            Assert.Empty(_events.OfType<WatchEvent.RecoveryStarted>());
            Assert.Equal(0, watcher.Engine.Counters.RecoveriesStarted);
            Assert.Equal(1, watcher.Engine.Counters.Refusals(RecoveryRefusal.NetworkUnverified));
            Assert.False(File.Exists(RecordPath), "no recovery child ran");
        }
        finally
        {
            await watcher.DisposeAsync();
        }

        var rows = AuditRows();
        Assert.Equal([AuditRowKind.Boot, AuditRowKind.Refused], rows.Select(r => r.Kind));
        Assert.Equal((Invariant(target.Pid), "network_unverified"), (rows[1]["pid"], rows[1]["reason"]));
        Assert.True(AuditVerifier.Verify(AuditPath).IsValid);
    }

    [Fact]
    public async Task An_agent_beating_over_trusted_udp_is_recovered_with_the_pid_its_frames_name()
    {
        // Arrange: UDP has no credentials; the freshness check reads /proc for the pid the frames name, a live child.
        await using var target = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));
        var watcher = await StartAsync(Options(RecordingRecovery()) with { SocketPath = null, Udp = new IPEndPoint(IPAddress.Loopback, 0), TrustUdp = true });
        try
        {
            // Act
            SendUdp(UdpEndpoint(watcher), (uint)target.Pid, beats: 2);
            var stall = await _events.WaitForAsync<WatchEvent.StallDetected>(s => s.Pid == (uint)target.Pid);
            var started = await _events.WaitForAsync<WatchEvent.RecoveryStarted>();
            var completed = await _events.WaitForAsync<WatchEvent.RecoveryCompleted>(c => c.RecoveryId == started.RecoveryId);

            // Assert
            Assert.Equal(Origin.OperatorAttested, stall.Origin);
            Assert.Equal((uint)target.Pid, started.Pid);
            Assert.Equal(ProcessFacts.StartTime(target.Pid), started.StartTime);
            Assert.Equal(new Outcome.Exited(0), completed.Result.Outcome);
            Assert.Equal([Invariant(target.Pid)], File.ReadAllLines(RecordPath));
            Assert.Empty(_events.OfType<WatchEvent.RecoveryRefused>());
        }
        finally
        {
            await watcher.DisposeAsync();
        }

        Assert.Equal([AuditRowKind.Boot, AuditRowKind.Spawn, AuditRowKind.Complete], AuditRows().Select(r => r.Kind));
    }

    [Fact]
    public async Task A_second_stall_of_the_same_process_within_the_debounce_window_is_refused_and_audited_as_debounced()
    {
        // Arrange: the recovery only records; the agent (this process) is not helped by it.
        var watcher = await StartAsync(Options(RecordingRecovery()) with { Engine = new WatchOptions { Threshold = Threshold, RecoveryDebounce = TimeSpan.FromMinutes(10) } });
        try
        {
            using var agent = HeartbeatClient.ConnectUnix(SocketPath);

            // Act: stall, recovery, a beat again, a second stall.
            Assert.True(agent.Beat().IsSent);
            var first = await _events.WaitForAsync<WatchEvent.RecoveryStarted>();
            await _events.WaitForAsync<WatchEvent.RecoveryCompleted>(c => c.RecoveryId == first.RecoveryId);
            Assert.True(agent.Beat().IsSent);
            await _events.WaitForCountAsync<WatchEvent.StallDetected>(2);
            var refused = await _events.WaitForAsync<WatchEvent.RecoveryRefused>();

            // Assert
            Assert.Equal((OurPid, RecoveryRefusal.Debounced), (refused.Pid, refused.Reason));
            Assert.Single(_events.OfType<WatchEvent.RecoveryStarted>());
            Assert.Equal(1, watcher.Engine.Counters.RecoveriesStarted);
            Assert.Equal(1, watcher.Engine.Counters.Refusals(RecoveryRefusal.Debounced));
            Assert.Equal([Invariant(OurPid)], File.ReadAllLines(RecordPath));
        }
        finally
        {
            await watcher.DisposeAsync();
        }

        var rows = AuditRows();
        Assert.Equal([AuditRowKind.Boot, AuditRowKind.Spawn, AuditRowKind.Complete, AuditRowKind.Refused], rows.Select(r => r.Kind));
        Assert.Equal((Invariant(OurPid), "debounced"), (rows[3]["pid"], rows[3]["reason"]));
        Assert.True(AuditVerifier.Verify(AuditPath).IsValid);
    }

    [Fact]
    public async Task A_recovery_that_outlives_its_timeout_has_its_whole_tree_killed_and_is_audited_as_timed_out()
    {
        // Arrange: the recovery leaves a grandchild behind, records its pid, and sleeps; both sleeps are marked.
        var grandchildMark = MarkedProcesses.NewSleepMarker();
        var childMark = MarkedProcesses.NewSleepMarker();
        var grandchildFile = Path.Combine(_directory, "grandchild");
        var recovery = RecoveryCommand.Parse($"/bin/sh -c 'sleep {grandchildMark} & echo $! > \"$1\"; exec sleep {childMark}' recover '{grandchildFile}' {{pid}}");
        var timeout = TimeSpan.FromSeconds(1); // the tree forks well within it, however slow the machine
        var watcher = await StartAsync(Options(recovery) with { RecoveryOptions = new RecoveryOptions { Timeout = timeout, Grace = TimeSpan.FromSeconds(1) } });
        try
        {
            using var agent = HeartbeatClient.ConnectUnix(SocketPath);

            // Act
            Assert.True(agent.Beat().IsSent);
            var started = await _events.WaitForAsync<WatchEvent.RecoveryStarted>();
            var completed = await _events.WaitForAsync<WatchEvent.RecoveryCompleted>(c => c.RecoveryId == started.RecoveryId);

            // Assert
            Assert.Equal(new Outcome.TimedOut(TimeoutKind.Overall, timeout), completed.Result.Outcome);
            Assert.Equal("timed_out", completed.Result.Kind);
            Assert.True(File.Exists(grandchildFile), "the recovery started its grandchild before the timeout");
            var survivors = new List<WatchedProcess>();
            Assert.True(
                await Bounds.EventuallyAsync(() => (survivors = [.. MarkedProcesses.WithArgument(grandchildMark), .. MarkedProcesses.WithArgument(childMark)]).Count == 0, Bounds.TreeGone),
                $"survivors of the recovery's tree: {string.Join(", ", survivors)}");
            Assert.Equal(1, watcher.Engine.Counters.RecoveryOutcomes.GetValueOrDefault("timed_out"));
        }
        finally
        {
            await watcher.DisposeAsync();
            MarkedProcesses.Kill(grandchildMark);
            MarkedProcesses.Kill(childMark);
        }

        var complete = AuditRows()[^1];
        Assert.Equal((AuditRowKind.Complete, "timed_out"), (complete.Kind, complete["outcome"]));
    }

    [Fact]
    public async Task Disposing_the_watcher_stops_a_running_recovery_well_within_its_grace_audits_its_end_and_removes_the_socket()
    {
        // Arrange: a grace longer than Soon() waits, so only the stop signal can end the recovery in time.
        var mark = MarkedProcesses.NewSleepMarker();
        var recovery = RecoveryCommand.Parse($"/bin/sh -c 'echo \"$1\" >> \"$2\"; exec sleep {mark}' recover {{pid}} '{RecordPath}'");
        var grace = TimeSpan.FromMinutes(2);
        var watcher = await StartAsync(Options(recovery) with { RecoveryOptions = new RecoveryOptions { Timeout = TimeSpan.FromMinutes(10), Grace = grace } });
        try
        {
            using var agent = HeartbeatClient.ConnectUnix(SocketPath);
            Assert.True(agent.Beat().IsSent);
            var started = await _events.WaitForAsync<WatchEvent.RecoveryStarted>();
            Assert.True(await Bounds.EventuallyAsync(() => MarkedProcesses.WithArgument(mark).Count == 1), "the recovery is running");

            // Act
            await watcher.DisposeAsync().AsTask().Soon();

            // Assert
            var completed = Assert.Single(_events.OfType<WatchEvent.RecoveryCompleted>());
            Assert.Equal(started.RecoveryId, completed.RecoveryId);
            Assert.Equal(new Outcome.Signalled(Signal.Terminate), completed.Result.Outcome);
            Assert.True(completed.Result.Duration < grace, $"stopped after {completed.Result.Duration}");
            Assert.Empty(MarkedProcesses.WithArgument(mark));
            Assert.False(Path.Exists(SocketPath), "the socket file is removed");
            Assert.True(watcher.Completion.IsCompletedSuccessfully);
        }
        finally
        {
            await watcher.DisposeAsync();
            MarkedProcesses.Kill(mark);
        }

        var rows = AuditRows();
        Assert.Equal([AuditRowKind.Boot, AuditRowKind.Spawn, AuditRowKind.Complete], rows.Select(r => r.Kind));
        Assert.Equal(("signalled", "15"), (rows[2]["outcome"], rows[2]["signal"]));
        Assert.True(AuditVerifier.Verify(AuditPath).IsValid);
    }

    [Fact]
    public async Task The_metrics_endpoint_counts_the_beats_accepted()
    {
        // Arrange
        var watcher = await StartAsync(Options() with { Metrics = new IPEndPoint(IPAddress.Loopback, 0) });
        try
        {
            using var agent = HeartbeatClient.ConnectUnix(SocketPath);
            for (var i = 0; i < 3; i++)
            {
                Assert.True(agent.Beat().IsSent);
            }

            await _events.WaitForCountAsync<WatchEvent.BeatAccepted>(3);

            // Act
            using var http = new HttpClient { Timeout = Bounds.Eventually };
            using var response = await http.GetAsync(new Uri($"http://{watcher.MetricsEndpoint}/metrics"));
            var text = await response.Content.ReadAsStringAsync();

            // Assert
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.NotNull(watcher.MetricsEndpoint);
            Assert.NotEqual(0, watcher.MetricsEndpoint!.Port);
            Assert.Contains("\ntether_watch_beats_total 3\n", text, StringComparison.Ordinal);
            Assert.Contains("\ntether_watch_agents 1\n", text, StringComparison.Ordinal);
        }
        finally
        {
            await watcher.DisposeAsync();
        }
    }

    private WatcherOptions Options(RecoveryCommand? recovery = null) => new()
    {
        SocketPath = SocketPath,
        Engine = new WatchOptions { Threshold = Threshold },
        TickInterval = TimeSpan.FromMilliseconds(10),
        Recovery = recovery,
        AuditFile = AuditPath,
        SystemdNotify = false,
    };

    /// <summary>Exec of /bin/sh with argv (no shell parses the line): appends the agent's pid to <see cref="RecordPath"/>.</summary>
    private RecoveryCommand RecordingRecovery() => RecoveryCommand.Parse($"/bin/sh -c 'echo \"$1\" >> \"$2\"' recover {{pid}} '{RecordPath}'");

    private Task<Watcher> StartAsync(WatcherOptions options) => Watcher.StartAsync(options, _events.Add);

    private List<AuditRow> AuditRows()
    {
        var rows = new List<AuditRow>();
        foreach (var line in File.ReadAllLines(AuditPath).Skip(1))
        {
            Assert.True(AuditRow.TryParse(line, out var row), $"not an audit row: {line}");
            rows.Add(row);
        }

        return rows;
    }

    private static IPEndPoint UdpEndpoint(Watcher watcher) =>
        IPEndPoint.Parse(Assert.Single(watcher.Endpoints, e => e.StartsWith("udp:", StringComparison.Ordinal))["udp:".Length..]);

    private static void SendUdp(IPEndPoint watcher, uint pid, int beats)
    {
        using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        for (var nonce = 1UL; nonce <= (ulong)beats; nonce++)
        {
            sender.SendTo(new Frame(BeatStatus.Ok, pid, Timestamp: nonce * 1000, nonce, Payload: 0).ToBytes(), watcher);
        }
    }

    private static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
