using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// Seeded simulation of the supervisor engine (<c>tether lab run --engine supervisor</c>): a <see cref="SupervisorWorld"/>
/// of services on a virtual clock, and the engine under <see cref="SupervisorInvariants"/> after every input.
/// </summary>
public sealed class SupervisorSimulation : EngineSimulation<SupervisorInput>
{
    private readonly SupervisorTrace _trace;

    /// <summary>Simulates the engine as shipped.</summary>
    public SupervisorSimulation()
        : this(SupervisorPlantedBug.None)
    {
    }

    internal SupervisorSimulation(SupervisorPlantedBug bug) => _trace = new SupervisorTrace(bug);

    /// <summary>
    /// The services every seed runs: a database with a readiness probe, a one-shot migration after it, two api replicas
    /// with a liveness probe after both, and a worker after the api — short backoffs, a tight start limit with a retry,
    /// and short graces, so a few thousand inputs reach every edge.
    /// </summary>
    public static ServiceSet Settings { get; } = new("/", [
        Service("db", RestartPolicy.Always) with { Ready = Probe(ProbeKind.Tcp) },
        Service("migrate", RestartPolicy.No, new Dependency("db", DependencyCondition.Ready)),
        Service("api", RestartPolicy.OnFailure, new Dependency("db", DependencyCondition.Ready), new Dependency("migrate", DependencyCondition.CompletedSuccessfully)) with
        {
            Replicas = 2,
            Ready = Probe(ProbeKind.Http),
            Live = Probe(ProbeKind.Http) with { FailureThreshold = 2 },
        },
        Service("worker", RestartPolicy.Always, new Dependency("api", DependencyCondition.Started)),
    ]);

    /// <inheritdoc/>
    public override EngineTrace<SupervisorInput> Trace => _trace;

    /// <inheritdoc/>
    public override TraceHeader Header(ulong seed, ChaosLevel chaos) => SupervisorTrace.Header(Settings, seed);

    /// <inheritdoc/>
    public override ISimulationRun<SupervisorInput> Start(TraceHeader header, ChaosLevel chaos)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new Run(new SupervisorWorld(header.Seed, chaos, Settings), new SupervisorInvariants(_trace.Bug));
    }

    /// <inheritdoc/>
    public override ICheckedEngine<SupervisorInput> Check(TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new SupervisorInvariants(_trace.Bug);
    }

    /// <summary>
    /// Renumbers the host's answers in a subsequence: run and probe ids are the engine's, so removing an earlier start
    /// or probe shifts every later one. Each answer goes to the instance's latest run (and the latest probe of its
    /// role) in the subsequence; an answer for an instance never started there is kept, and the engine ignores it.
    /// </summary>
    public override Func<IReadOnlyList<SupervisorInput>, IReadOnlyList<SupervisorInput>> Repairer(TraceHeader header, IReadOnlyList<SupervisorInput> run)
    {
        ArgumentNullException.ThrowIfNull(header);
        return candidate =>
        {
            var engine = _trace.CreateSupervisorEngine(header);
            var runs = new Dictionary<InstanceId, long>();
            var probes = new Dictionary<(InstanceId, ProbeRole), (long Run, long Probe)>();
            var repaired = new List<SupervisorInput>(candidate.Count);
            foreach (var input in candidate)
            {
                var renumbered = input switch
                {
                    SupervisorInput.ProbeCompleted p when p.ProbeId != 0 && probes.TryGetValue((p.Instance, p.Role), out var probe) => p with { RunId = probe.Run, ProbeId = probe.Probe },
                    SupervisorInput.ProbeCompleted p when p.ProbeId == 0 && runs.TryGetValue(p.Instance, out var current) => p with { RunId = current },
                    SupervisorInput.Started s when runs.TryGetValue(s.Instance, out var current) => s with { RunId = current },
                    SupervisorInput.StartFailed f when runs.TryGetValue(f.Instance, out var current) => f with { RunId = current },
                    SupervisorInput.Exited e when runs.TryGetValue(e.Instance, out var current) => e with { RunId = current },
                    _ => input,
                };
                engine.Handle(renumbered);
                foreach (var decision in engine.Decisions)
                {
                    switch (decision)
                    {
                        case SupervisorDecision.StartInstance start:
                            runs[start.Instance] = start.RunId;
                            break;
                        case SupervisorDecision.RunProbe probe:
                            probes[(probe.Instance, probe.Role)] = (probe.RunId, probe.ProbeId);
                            break;
                    }
                }

                repaired.Add(renumbered);
            }

            return repaired;
        };
    }

    private static ServiceDefinition Service(string name, RestartPolicy restart, params Dependency[] dependsOn) => new()
    {
        Name = name,
        Command = new ServiceCommand.Exec([name]),
        Restart = restart,
        DependsOn = dependsOn,
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromSeconds(2), 0.1, TimeSpan.FromSeconds(5)),
        StartLimit = new StartLimit(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)),
        Stop = new StopPolicy(Signal.Terminate, TimeSpan.FromSeconds(1)),
    };

    private static ProbeDefinition Probe(ProbeKind kind) => new()
    {
        Kind = kind,
        Period = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromMilliseconds(300),
        FailureThreshold = 3,
    };

    private sealed class Run(SupervisorWorld world, SupervisorInvariants engine) : ISimulationRun<SupervisorInput>
    {
        public bool TryNext(out SupervisorInput input)
        {
            // A finished shutdown ends the run: nothing more can happen to an engine that has shut down.
            if (engine.Engine.IsShutDown)
            {
                input = null!;
                return false;
            }

            input = world.Next(engine.Engine);
            return true;
        }

        public string? Feed(SupervisorInput input, out ulong decisions)
        {
            var violation = engine.Feed(input, out decisions);
            world.Observe(engine.Decisions);
            return violation;
        }
    }
}
