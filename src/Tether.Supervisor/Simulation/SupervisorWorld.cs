using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// A seeded world for the supervisor engine, on a virtual clock: it answers the engine's requests as a host would —
/// processes start (or fail to), crash, exit, hang in stop, answer probes (flapping), die to SIGKILL — and, with chaos,
/// adds exit storms, operator commands and reloads at awkward moments, and clocks running back. The host ticks at the
/// engine's next deadline when nothing else happens first.
/// </summary>
internal sealed class SupervisorWorld
{
    private const long Ms = TimeSpan.TicksPerMillisecond;

    private readonly ChaosLevel _chaos;
    private readonly ServiceSet _services;
    private readonly ServiceSet _changed;
    private readonly ulong _seed;
    private readonly PriorityQueue<SupervisorInput, (long, long)> _queue = new();
    private SeededRandom _random;
    private long _sequence;
    private long _now;
    private int _nextPid = 1000;
    private bool _configured;
    private long _inputs;
    private readonly long _shutdownAt;

    public SupervisorWorld(ulong seed, ChaosLevel chaos, ServiceSet services)
    {
        _random = new SeededRandom(seed);
        _seed = seed;

        // Half the runs of the usual length end with a shutdown (forced in a third of them), at any point.
        _shutdownAt = Between(1_000, 20_000);
        _chaos = chaos;
        _services = services;

        // The reload's other configuration: the worker's settings changed (it restarts) and the api scaled.
        _changed = services with
        {
            Services = [.. services.Services.Select(s => s.Name switch
            {
                "worker" => s with { Command = new ServiceCommand.Exec(["worker", "--v2"]) },
                "api" => s with { Replicas = s.Replicas + 1 },
                _ => s,
            })],
        };
    }

    /// <summary>The engine's time as the world last saw it.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(_now);

    /// <summary>The next input: an operator's or a reload's surprise, what the world scheduled, or a tick at the engine's deadline.</summary>
    public SupervisorInput Next(SupervisorEngine engine)
    {
        if (!_configured)
        {
            _configured = true;
            return new SupervisorInput.Configure(TimeSpan.Zero, _services, _seed);
        }

        if (++_inputs == _shutdownAt)
        {
            return Stamp(new SupervisorInput.Shutdown(default, Force: Chance(0.3)));
        }

        var surprise = _chaos switch { ChaosLevel.Heavy => 0.03, ChaosLevel.Light => 0.01, _ => 0 };
        if (_random.NextDouble() < surprise)
        {
            return Stamp(Surprise());
        }

        var deadline = engine.NextDeadline?.Ticks;
        if (_queue.TryPeek(out _, out var when) && (deadline is null || when.Item1 <= deadline))
        {
            var input = _queue.Dequeue();
            _now = Math.Max(_now, when.Item1);
            return Stamp(input);
        }

        // Nothing scheduled before the deadline: the host's timer fires (or, idle, a second passes).
        _now = deadline is { } due ? Math.Max(_now, due) : _now + (1000 * Ms);
        return Stamp(new SupervisorInput.Tick(default));
    }

    /// <summary>Answers the engine's requests of the last input.</summary>
    public void Observe(IReadOnlyList<SupervisorDecision> decisions)
    {
        foreach (var decision in decisions)
        {
            switch (decision)
            {
                case SupervisorDecision.StartInstance start:
                    OnStart(start);
                    break;
                case SupervisorDecision.StopInstance stop:
                    // Some hang in stop: they ignore the signal, and only the SIGKILL after the grace ends them.
                    if (!Chance(_chaos == ChaosLevel.None ? 0 : 0.15))
                    {
                        Schedule(Between(5, 800), new SupervisorInput.Exited(default, stop.Instance, stop.RunId, ExitInfo.BySignal(stop.Signal)));
                    }

                    break;
                case SupervisorDecision.KillInstance kill:
                    Schedule(Between(1, 20), new SupervisorInput.Exited(default, kill.Instance, kill.RunId, ExitInfo.BySignal(Signal.Kill)));
                    break;
                case SupervisorDecision.RunProbe probe:
                    var flaky = _chaos switch { ChaosLevel.Heavy => 0.3, ChaosLevel.Light => 0.1, _ => 0.02 };
                    var passed = !Chance(flaky);
                    Schedule(Between(1, (long)probe.Probe.Timeout.TotalMilliseconds), new SupervisorInput.ProbeCompleted(
                        default, probe.Instance, probe.RunId, probe.Role, probe.ProbeId, passed, passed ? "HTTP 200" : "connection refused"));
                    break;
            }
        }
    }

    private void OnStart(SupervisorDecision.StartInstance start)
    {
        var failing = _chaos switch { ChaosLevel.Heavy => 0.1, ChaosLevel.Light => 0.03, _ => 0 };
        if (Chance(failing))
        {
            Schedule(Between(1, 30), new SupervisorInput.StartFailed(default, start.Instance, start.RunId, "no such file or directory"));
            return;
        }

        var startsIn = Between(1, 30);
        Schedule(startsIn, new SupervisorInput.Started(default, start.Instance, start.RunId, _nextPid++));
        if (start.Service.Restart == RestartPolicy.No)
        {
            // A one-shot job: it finishes, usually well.
            Schedule(startsIn + Between(50, 600), new SupervisorInput.Exited(default, start.Instance, start.RunId, ExitInfo.Code(Chance(0.2) ? 1 : 0)));
            return;
        }

        // A long-running service that crashes now and then; in a storm, at once, again and again.
        var crash = _chaos switch { ChaosLevel.Heavy => 0.5, ChaosLevel.Light => 0.25, _ => 0.05 };
        if (Chance(crash))
        {
            var storm = _chaos == ChaosLevel.Heavy && Chance(0.3);
            var after = storm ? Between(1, 50) : Between(100, 8000);
            var exit = Chance(0.1) ? new ExitInfo(null, Signal.Kill, OutOfMemory: true) : Chance(0.5) ? ExitInfo.Code(1) : ExitInfo.BySignal(new Signal(11));
            Schedule(startsIn + after, new SupervisorInput.Exited(default, start.Instance, start.RunId, exit));
        }
    }

    private SupervisorInput Surprise()
    {
        var names = _services.Services;
        var service = names[(int)Between(0, names.Count - 1)].Name;
        return Between(0, 9) switch
        {
            0 or 1 => new SupervisorInput.Operator(default, OperatorAction.Restart, service),
            2 => new SupervisorInput.Operator(default, OperatorAction.Stop, service),
            3 or 4 => new SupervisorInput.Operator(default, OperatorAction.Start, service),

            // Only the worker scales by command: no service depends on it, so the invariants can read replicas from the set.
            5 => new SupervisorInput.Operator(default, OperatorAction.Scale, "worker", (int)Between(0, 3)),
            6 => new SupervisorInput.Reload(default, Chance(0.5) ? _changed : _services),
            _ => new SupervisorInput.Operator(default, OperatorAction.Restart, service),
        };
    }

    /// <summary>Stamps an input with the world's time; with chaos, now and then with a clock that ran back.</summary>
    private SupervisorInput Stamp(SupervisorInput input)
    {
        var back = _chaos == ChaosLevel.Heavy && Chance(0.02) ? Between(1, 1500) * Ms : 0;
        return input with { At = TimeSpan.FromTicks(Math.Max(0, _now - back)) };
    }

    private void Schedule(long afterMs, SupervisorInput input) => _queue.Enqueue(input, (_now + (afterMs * Ms), _sequence++));

    private bool Chance(double p) => _random.NextDouble() < p;

    private long Between(long low, long high) => low + (long)(_random.NextDouble() * (high - low + 1));
}
