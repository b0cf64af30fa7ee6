namespace Tether.Watch.Tests;

/// <summary>The engine's rules, driven by inputs with virtual times: no clock, no sockets, no sleeps.</summary>
public sealed class WatchEngineSpecs
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);
    private static readonly OriginFacts Kernel = new(Origin.KernelAttested, SenderPid: 1000, SenderUid: 0, SameNamespace: true, StartTime: 77);

    [Fact]
    public void A_valid_beat_is_accepted_and_tracked()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(0), 1000, nonce: 1, status: BeatStatus.Degraded, payload: 42));

        var accepted = Assert.IsType<WatchEvent.BeatAccepted>(Assert.Single(events));
        Assert.Equal(new WatchEvent.BeatAccepted(At(0), 1000, BeatStatus.Degraded, 1, 42, Origin.KernelAttested, NewAgent: true), accepted);
        Assert.Equal(1, engine.AgentCount);
        Assert.Equal(1, engine.Counters.Beats);
    }

    [Fact]
    public void A_datagram_that_is_not_a_frame_is_a_decode_error_counted_by_kind()
    {
        var engine = Engine();

        var events = Feed(engine, new WatchInput.Datagram(At(0), new byte[31], Kernel));

        var failed = Assert.IsType<WatchEvent.DecodeFailed>(Assert.Single(events));
        Assert.Equal(FrameErrorKind.Length, failed.Error.Kind);
        Assert.Equal(1, engine.Counters.DecodeErrors(FrameErrorKind.Length));
        Assert.Equal(0, engine.AgentCount);
    }

    [Fact]
    public void A_frame_whose_pid_is_not_the_kernel_reported_sender_is_dropped_as_spoofed()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(0), 1234, nonce: 1, facts: Kernel));

        Assert.Equal(new WatchEvent.AuthenticationFailed(At(0), 1234, 1000), Assert.Single(events));
        Assert.Equal(1, engine.Counters.AuthenticationFailures);
        Assert.Equal(0, engine.AgentCount);
    }

    [Fact]
    public void An_agent_in_another_pid_namespace_is_refused_unless_allowed_and_then_keyed_by_its_kernel_pid()
    {
        var foreign = Kernel with { SameNamespace = false, SenderPid = 5555 };

        var refused = Feed(Engine(), Beat(At(0), 7, nonce: 1, facts: foreign));
        var allowedEngine = Engine(o => o with { AllowCrossNamespace = true });
        var allowed = Feed(allowedEngine, Beat(At(0), 7, nonce: 1, facts: foreign));

        Assert.Equal(new WatchEvent.NamespaceConflict(At(0), 7, 5555), Assert.Single(refused));
        Assert.Equal(5555u, Assert.IsType<WatchEvent.BeatAccepted>(Assert.Single(allowed)).Pid);
    }

    [Fact]
    public void Nonces_must_strictly_increase()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(0), 1000, nonce: 5), Beat(At(1), 1000, nonce: 5), Beat(At(2), 1000, nonce: 4), Beat(At(3), 1000, nonce: 6));

        Assert.IsType<WatchEvent.BeatAccepted>(events[0]);
        Assert.Equal(new WatchEvent.BeatDropped(At(1), 1000, DropReason.OutOfOrder), events[1]);
        Assert.Equal(new WatchEvent.BeatDropped(At(2), 1000, DropReason.OutOfOrder), events[2]);
        Assert.IsType<WatchEvent.BeatAccepted>(events[3]);
        Assert.Equal(2, engine.Counters.Drops(DropReason.OutOfOrder));
    }

    [Fact]
    public void A_recycled_pid_starts_a_fresh_agent_whose_nonces_start_over()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(0), 1000, nonce: 50), Beat(At(1), 1000, nonce: 1, facts: Kernel with { StartTime = 99 }));

        Assert.Equal(new WatchEvent.PidReused(At(1), 1000), events[1]);
        Assert.True(Assert.IsType<WatchEvent.BeatAccepted>(events[2]).NewAgent);
        Assert.Equal(1, engine.Counters.PidReuses);
    }

    [Fact]
    public void A_weaker_origin_never_speaks_for_an_agent_with_a_stronger_one_but_a_stronger_one_upgrades_it()
    {
        var engine = Engine();
        var udp = new OriginFacts(Origin.NetworkUnverified, Peer: "10.0.0.9:4000");

        var events = Feed(engine, Beat(At(0), 1000, nonce: 1), Beat(At(1), 1000, nonce: 2, facts: udp));
        var upgrade = Engine();
        var upgraded = Feed(upgrade, Beat(At(0), 1000, nonce: 1, facts: udp), Beat(At(1), 1000, nonce: 2));

        Assert.Equal(new WatchEvent.OriginConflict(At(1), 1000, Origin.KernelAttested, Origin.NetworkUnverified), events[1]);
        Assert.Equal(Origin.KernelAttested, Assert.IsType<WatchEvent.BeatAccepted>(upgraded[1]).Origin);
    }

    [Fact]
    public void An_agent_sending_faster_than_its_rate_is_throttled_and_recovers_with_time()
    {
        var engine = Engine(o => o with { AgentBeatsPerSecond = 3 });
        var inputs = Enumerable.Range(1, 5).Select(n => Beat(TimeSpan.FromMilliseconds(n), 1000, nonce: (ulong)n)).ToList();
        inputs.Add(Beat(TimeSpan.FromSeconds(2), 1000, nonce: 6));

        var events = Feed(engine, [.. inputs]);

        Assert.Equal(3, events.Take(5).Count(e => e is WatchEvent.BeatAccepted));
        Assert.Equal(2, engine.Counters.Drops(DropReason.AgentRateLimited));
        Assert.IsType<WatchEvent.BeatAccepted>(events[^1]);
    }

    [Fact]
    public void The_watcher_wide_rate_drops_before_decoding()
    {
        var engine = Engine(o => o with { GlobalBeatsPerSecond = 2 });

        var events = Feed(engine, Beat(At(0), 1000, 1), new WatchInput.Datagram(At(0), new byte[3], Kernel), new WatchInput.Datagram(At(0), new byte[3], Kernel));

        Assert.IsType<WatchEvent.BeatAccepted>(events[0]);
        Assert.IsType<WatchEvent.DecodeFailed>(events[1]);
        Assert.Equal(DropReason.GlobalRateLimited, Assert.IsType<WatchEvent.BeatDropped>(events[2]).Reason);
    }

    [Fact]
    public void A_full_table_evicts_only_a_long_silent_agent_and_otherwise_refuses_the_newcomer()
    {
        var engine = Engine(o => o with { Capacity = 2, EvictAfter = TimeSpan.FromSeconds(30) });
        var udp = new OriginFacts(Origin.NetworkUnverified);
        Feed(engine, Beat(At(0), 10, 1, facts: udp), Beat(At(20), 11, 1, facts: udp));

        var refused = Feed(engine, Beat(At(25), 12, 1, facts: udp));
        var evicting = Feed(engine, Beat(At(31), 13, 1, facts: udp));

        Assert.Equal(new WatchEvent.BeatDropped(At(25), 12, DropReason.CapacityFull), Assert.Single(refused));
        Assert.Equal(new WatchEvent.AgentEvicted(At(31), 10, TimeSpan.FromSeconds(31)), evicting[0]);
        Assert.True(Assert.IsType<WatchEvent.BeatAccepted>(evicting[1]).NewAgent);
        Assert.Equal(2, engine.AgentCount);
    }

    [Fact]
    public void The_terminal_frame_removes_the_agent_so_its_silence_is_not_a_stall()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(0), 1000, 1), Datagram(At(1), Frame.Terminated(1000, 5)), new WatchInput.Tick(At(60)));

        Assert.Equal(new WatchEvent.AgentTerminated(At(1), 1000), events[2]);
        Assert.DoesNotContain(events, e => e is WatchEvent.StallDetected);
        Assert.Equal(0, engine.AgentCount);
    }

    [Fact]
    public void A_silent_agent_stalls_once_per_silence_run_and_a_beat_rearms_it()
    {
        var engine = Engine();

        var events = Feed(engine,
            Beat(At(0), 1000, 1),
            new WatchInput.Tick(TimeSpan.FromMilliseconds(4_999)),
            new WatchInput.Tick(At(5)),
            new WatchInput.Tick(At(6)),
            new WatchInput.Tick(At(30)),
            Beat(At(31), 1000, 2),
            new WatchInput.Tick(At(35)),
            new WatchInput.Tick(At(36)));

        var stalls = events.OfType<WatchEvent.StallDetected>().ToList();
        Assert.Equal([At(5), At(36)], stalls.Select(s => s.At));
        Assert.Equal(Threshold, stalls[0].SilentFor);
        Assert.Equal(2, engine.Counters.Stalls);
    }

    [Fact]
    public void A_clock_that_jumps_back_does_not_run_the_engine_backwards()
    {
        var engine = Engine();

        var events = Feed(engine, Beat(At(10), 1000, 1), new WatchInput.Tick(At(3)), Beat(At(2), 1000, 2), new WatchInput.Tick(At(15)));

        Assert.Equal(At(10), events[1].At);
        Assert.Equal(new WatchEvent.StallDetected(At(15), 1000, Threshold, BeatStatus.Ok, Origin.KernelAttested), events[2]);
        Assert.Equal(At(15), engine.Now);
    }

    [Theory]
    [InlineData(Origin.NetworkUnverified, RecoveryRefusal.NetworkUnverified)]
    [InlineData(Origin.SocketModeOnly, RecoveryRefusal.SocketModeOnly)]
    public void Recovery_is_refused_for_origins_nobody_vouches_for(Origin origin, RecoveryRefusal expected)
    {
        var engine = Engine(Recovering);

        var events = Feed(engine, Beat(At(0), 1000, 1, facts: new OriginFacts(origin)), new WatchInput.Tick(At(5)));

        Assert.Equal(new WatchEvent.RecoveryRefused(At(5), 1000, expected), events[^1]);
        Assert.Equal(1, engine.Counters.Refusals(expected));
    }

    [Fact]
    public void An_allowed_cross_namespace_agent_is_recovered_by_its_pid_as_seen_here()
    {
        var engine = Engine(o => Recovering(o) with { AllowCrossNamespace = true });

        var events = Feed(engine, Beat(At(0), 7, 1, facts: Kernel with { SameNamespace = false, SenderPid = 4242 }), new WatchInput.Tick(At(5)));

        Assert.Equal(4242u, Assert.IsType<WatchEvent.FreshnessCheckRequested>(events[^1]).Pid);
    }

    [Fact]
    public void A_stalled_trusted_agent_is_recovered_after_its_start_time_is_checked_again()
    {
        var engine = Engine(Recovering);

        var stall = Feed(engine, Beat(At(0), 1000, 1), new WatchInput.Tick(At(5)));
        var check = Assert.IsType<WatchEvent.FreshnessCheckRequested>(stall[^1]);
        var start = Feed(engine, new WatchInput.FreshnessChecked(At(5), check.RecoveryId, 77));
        var end = Feed(engine, new WatchInput.RecoveryEnded(At(7), check.RecoveryId, new RecoveryResult(new Outcome.Exited(0), null, TimeSpan.FromSeconds(2), 10, 0, false)));

        Assert.Equal(new WatchEvent.RecoveryStarted(At(5), check.RecoveryId, 1000, 77), Assert.Single(start));
        var completed = Assert.IsType<WatchEvent.RecoveryCompleted>(Assert.Single(end));
        Assert.Equal("exited", completed.Result.Kind);
        Assert.Equal(1, engine.Counters.RecoveriesStarted);
        Assert.Equal(0, engine.Counters.RecoveriesInFlight);
    }

    [Fact]
    public void The_freshness_check_skips_an_agent_that_resumed_or_whose_pid_was_recycled_or_that_left()
    {
        var resumed = Engine(Recovering);
        var id1 = StallAndRequest(resumed, 1000);
        Feed(resumed, Beat(At(6), 1000, 2));
        var recycled = Engine(Recovering);
        var id2 = StallAndRequest(recycled, 1000);
        var gone = Engine(Recovering);
        var id3 = StallAndRequest(gone, 1000);
        Feed(gone, Datagram(At(6), Frame.Terminated(1000, 9)));

        Assert.Equal(RecoveryRefusal.Resumed, Refusal(Feed(resumed, new WatchInput.FreshnessChecked(At(6), id1, 77))));
        Assert.Equal(RecoveryRefusal.PidRecycled, Refusal(Feed(recycled, new WatchInput.FreshnessChecked(At(6), id2, 78))));
        Assert.Equal(RecoveryRefusal.AgentGone, Refusal(Feed(gone, new WatchInput.FreshnessChecked(At(6), id3, 77))));
    }

    [Fact]
    public void A_stalled_agent_whose_process_no_longer_exists_is_refused_as_gone_not_as_recycled()
    {
        var killed = Engine(Recovering);
        var id = StallAndRequest(killed, 1000);

        // The host found no process with the pid: the agent was killed and is gone; nothing reused its pid.
        var refusal = Refusal(Feed(killed, new WatchInput.FreshnessChecked(At(6), id, null)));

        Assert.Equal(RecoveryRefusal.AgentGone, refusal);
    }

    [Fact]
    public void Recoveries_of_the_same_process_are_debounced_but_a_recycled_pid_is_not_suppressed()
    {
        var engine = Engine(o => Recovering(o) with { RecoveryDebounce = TimeSpan.FromMinutes(1) });
        var first = StallAndRequest(engine, 1000);
        Feed(engine, new WatchInput.FreshnessChecked(At(5), first, 77), new WatchInput.RecoveryEnded(At(6), first, Done()));

        var again = StallAndRequest(engine, 1000, at: 10);
        var debounced = Feed(engine, new WatchInput.FreshnessChecked(At(15), again, 77));
        var newProcess = Feed(engine, Beat(At(16), 1000, 1, facts: Kernel with { StartTime = 88 }), new WatchInput.Tick(At(21)));
        var check = newProcess.OfType<WatchEvent.FreshnessCheckRequested>().Single();
        var started = Feed(engine, new WatchInput.FreshnessChecked(At(21), check.RecoveryId, 88));

        Assert.Equal(RecoveryRefusal.Debounced, Refusal(debounced));
        Assert.IsType<WatchEvent.RecoveryStarted>(Assert.Single(started));
    }

    [Fact]
    public void A_second_recovery_for_a_process_whose_recovery_still_runs_is_refused()
    {
        var engine = Engine(o => Recovering(o) with { RecoveryDebounce = TimeSpan.Zero });
        var first = StallAndRequest(engine, 1000);
        Feed(engine, new WatchInput.FreshnessChecked(At(5), first, 77));

        var second = StallAndRequest(engine, 1000, at: 10);

        Assert.Equal(RecoveryRefusal.InFlight, Refusal(Feed(engine, new WatchInput.FreshnessChecked(At(15), second, 77))));
    }

    [Fact]
    public void Refusals_do_not_use_up_the_debounce_window()
    {
        var engine = Engine(o => Recovering(o) with { MaxRecoveriesInFlight = 1 });
        var busy = StallAndRequest(engine, 1000);
        Feed(engine, new WatchInput.FreshnessChecked(At(5), busy, 77));

        var second = StallAndRequest(engine, 2000, at: 10, senderPid: 2000);
        var full = Feed(engine, new WatchInput.FreshnessChecked(At(15), second, 77));
        Feed(engine, new WatchInput.RecoveryEnded(At(16), busy, Done()));
        var retry = StallAndRequest(engine, 2000, at: 20, senderPid: 2000);
        var started = Feed(engine, new WatchInput.FreshnessChecked(At(25), retry, 77));

        Assert.Equal(RecoveryRefusal.InFlightFull, Refusal(full));
        Assert.IsType<WatchEvent.RecoveryStarted>(Assert.Single(started));
    }

    [Fact]
    public void A_full_debounce_ledger_evicts_only_expired_entries_and_otherwise_fails_closed()
    {
        var engine = Engine(o => Recovering(o) with { DebounceLedgerCapacity = 1, RecoveryDebounce = TimeSpan.FromSeconds(60) });
        var first = StallAndRequest(engine, 1000);
        Feed(engine, new WatchInput.FreshnessChecked(At(5), first, 77), new WatchInput.RecoveryEnded(At(6), first, Done()));

        var blocked = StallAndRequest(engine, 2000, at: 10, senderPid: 2000);
        var refused = Feed(engine, new WatchInput.FreshnessChecked(At(15), blocked, 77));
        var after = StallAndRequest(engine, 2000, at: 100, senderPid: 2000);
        var started = Feed(engine, new WatchInput.FreshnessChecked(At(105), after, 77));

        Assert.Equal(RecoveryRefusal.DebounceLedgerFull, Refusal(refused));
        Assert.IsType<WatchEvent.RecoveryStarted>(Assert.Single(started));
    }

    [Fact]
    public void The_same_inputs_always_give_the_same_decisions()
    {
        var random = new Random(7);
        var inputs = new List<WatchInput>();
        var nonces = new Dictionary<uint, ulong>();
        for (var i = 0; i < 5_000; i++)
        {
            var at = TimeSpan.FromMilliseconds(i * 7);
            if (random.Next(10) == 0)
            {
                inputs.Add(new WatchInput.Tick(at));
                continue;
            }

            var pid = (uint)random.Next(2, 40);
            var nonce = nonces[pid] = nonces.GetValueOrDefault(pid) + (ulong)random.Next(0, 3);
            var origin = (Origin)random.Next(0, 4);
            inputs.Add(Beat(at, pid, Math.Max(nonce, 1), facts: new OriginFacts(origin, origin == Origin.KernelAttested ? (int)pid : null, SameNamespace: true, StartTime: (ulong)random.Next(1, 3))));
        }

        inputs.Add(new WatchInput.Tick(inputs[^1].At + TimeSpan.FromMinutes(1)));
        var first = Feed(Engine(o => Recovering(o) with { Capacity = 16 }), [.. inputs]);
        var second = Feed(Engine(o => Recovering(o) with { Capacity = 16 }), [.. inputs]);

        Assert.Equal(first, second);
        Assert.Contains(first, e => e is WatchEvent.StallDetected);
    }

    private static WatchOptions Recovering(WatchOptions options) => options with { RecoveryEnabled = true };

    private static RecoveryResult Done() => new(new Outcome.Exited(0), null, TimeSpan.FromSeconds(1), 0, 0, false);

    private static WatchEngine Engine(Func<WatchOptions, WatchOptions>? configure = null) =>
        new((configure ?? (o => o))(new WatchOptions { Threshold = Threshold }));

    private static TimeSpan At(double seconds) => TimeSpan.FromSeconds(seconds);

    private static WatchInput Beat(TimeSpan at, uint pid, ulong nonce, BeatStatus status = BeatStatus.Ok, uint payload = 0, OriginFacts? facts = null) =>
        Datagram(at, new Frame(status, pid, (ulong)at.Ticks * 100, nonce, payload), facts);

    private static WatchInput Datagram(TimeSpan at, Frame frame, OriginFacts? facts = null) =>
        new WatchInput.Datagram(at, frame.ToBytes(), facts ?? Kernel with { SenderPid = (int)frame.Pid });

    private static List<WatchEvent> Feed(WatchEngine engine, params WatchInput[] inputs)
    {
        var events = new List<WatchEvent>();
        foreach (var input in inputs)
        {
            engine.Handle(input, events);
        }

        return events;
    }

    /// <summary>Beats once for <paramref name="pid"/> at <paramref name="at"/>, ticks past the threshold and returns the freshness request's id.</summary>
    private static long StallAndRequest(WatchEngine engine, uint pid, double at = 0, ulong startTime = 77, int? senderPid = null)
    {
        var beatAt = At(at);
        var nonce = (ulong)(engine.Agents().FirstOrDefault(a => a.Pid == pid)?.LastNonce ?? 0) + 1;
        var events = Feed(engine, Beat(beatAt, pid, nonce, facts: Kernel with { SenderPid = senderPid ?? (int)pid, StartTime = startTime }), new WatchInput.Tick(beatAt + Threshold));
        return events.OfType<WatchEvent.FreshnessCheckRequested>().Single().RecoveryId;
    }

    private static RecoveryRefusal Refusal(List<WatchEvent> events) => Assert.IsType<WatchEvent.RecoveryRefused>(Assert.Single(events)).Reason;
}
