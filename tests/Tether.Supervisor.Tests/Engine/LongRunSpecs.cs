using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

/// <summary>Alone in its collection: it weighs the whole process's heap, which specs running beside it would blur.</summary>
[Collection(nameof(LongRunSpecs))]
public sealed class LongRunSpecs
{
    [Fact]
    public void A_million_events_of_crashes_probes_and_operator_commands_leave_the_engine_no_bigger_and_the_clock_never_runs_back()
    {
        var probe = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = 1, Period = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromMilliseconds(50) };
        var services = new[]
        {
            Service("db") with { Ready = probe, Live = probe, StartLimit = new StartLimit(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)) },
            Service("api", new Dependency("db", DependencyCondition.Ready)) with { Replicas = 3, Live = probe },
            Service("job") with { Restart = RestartPolicy.Always },
        };
        var engine = new SupervisorEngine();
        var decisions = new List<SupervisorDecision>();
        var random = new Random(7);
        var now = TimeSpan.Zero;
        var pid = 1;
        var live = new Dictionary<InstanceId, long>();
        var probes = new List<SupervisorDecision.RunProbe>();
        engine.Handle(new SupervisorInput.Configure(now, new ServiceSet("/p", services), 7), decisions);

        long baseline = 0;
        for (var step = 0; step < 1_000_000; step++)
        {
            foreach (var decision in decisions)
            {
                switch (decision)
                {
                    case SupervisorDecision.StartInstance start:
                        live[start.Instance] = start.RunId;
                        break;
                    case SupervisorDecision.RunProbe run:
                        probes.Add(run);
                        break;
                }
            }

            decisions.Clear();
            // The clock mostly moves on, sometimes jumps back (the engine holds it).
            now += TimeSpan.FromMilliseconds(random.Next(-5, 60));
            SupervisorInput input = random.Next(10) switch
            {
                0 or 1 when live.Count > 0 => Pick(live) is var (id, run) ? new SupervisorInput.Started(now, id, run, pid++) : null!,
                2 when live.Count > 0 => Pick(live) is var (id, run) ? new SupervisorInput.Exited(now, id, run, ExitInfo.Code(random.Next(2))) : null!,
                3 or 4 when probes.Count > 0 => Answer(),
                5 when random.Next(50) == 0 => new SupervisorInput.Operator(now, (OperatorAction)random.Next(4), services[random.Next(3)].Name, random.Next(1, 4)),
                _ => new SupervisorInput.Tick(now),
            };
            engine.Handle(input, decisions);
            if (probes.Count > 64)
            {
                probes.RemoveRange(0, probes.Count - 64);
            }

            Assert.True(engine.Now >= TimeSpan.Zero);
            if (step == 100_000)
            {
                baseline = Retained();
            }
        }

        Assert.InRange(engine.InstanceCount, 3, 10);
        Assert.InRange(Retained() - baseline, long.MinValue, 2 * 1024 * 1024);

        SupervisorInput.ProbeCompleted Answer()
        {
            var run = probes[random.Next(probes.Count)];
            return new SupervisorInput.ProbeCompleted(now, run.Instance, run.RunId, run.Role, run.ProbeId, random.Next(3) > 0, "checked");
        }

        (InstanceId, long) Pick(Dictionary<InstanceId, long> table) => table.ElementAt(random.Next(table.Count)) is var pair ? (pair.Key, pair.Value) : default;

        long Retained()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
    }
}

/// <summary>Runs <see cref="LongRunSpecs"/> on its own, after the specs that run in parallel.</summary>
[CollectionDefinition(nameof(LongRunSpecs), DisableParallelization = true)]
public sealed class LongRunSpecsCollection;
