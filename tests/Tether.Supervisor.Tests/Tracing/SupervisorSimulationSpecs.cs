using System.Globalization;
using Tether.Lab;
using Xunit.Abstractions;

namespace Tether.Supervisor.Tests.Tracing;

/// <summary>
/// The seeded simulator on the supervisor engine: a fixed seed range holds every invariant (CI), a seed always gives
/// the same run, the world reaches the engine's edges, and the planted bug is found within a bounded number of seeds and
/// shrunk to a small trace. Set <c>TETHER_LAB_SEEDS=N</c> to run seeds 1..N instead of the CI range.
/// </summary>
public sealed class SupervisorSimulationSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-lab-sup-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(ChaosLevel.None)]
    [InlineData(ChaosLevel.Light)]
    [InlineData(ChaosLevel.Heavy)]
    public void The_engine_as_shipped_holds_every_invariant_over_the_ci_seed_range(ChaosLevel chaos)
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("TETHER_LAB_SEEDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 32;

        var report = new Simulator<SupervisorInput>(new SupervisorSimulation()).Run(new SimulationOptions { Seeds = seeds, Chaos = chaos, FailureDirectory = _directory });

        Assert.True(report.Failures.Count == 0, string.Join('\n', report.Failures.Select(f => $"seed {f.Seed}: {f.Violation} ({f.Reproduce})")));
        Assert.Equal(seeds, report.SeedsRun);
        // A run ends at 10,000 inputs or, earlier, once the world's shutdown (drawn from input 1,000 on) has finished.
        Assert.InRange(report.EventsRun, seeds * 1_000L, seeds * 10_000L);
    }

    [Fact]
    public void A_seed_always_gives_the_same_run()
    {
        var first = TraceFile.Parse(SupervisorTraceFixtures.Record(SupervisorTraceFixtures.Simulated(42, 3_000)));
        var second = TraceFile.Parse(SupervisorTraceFixtures.Record(SupervisorTraceFixtures.Simulated(42, 3_000)));
        var other = TraceFile.Parse(SupervisorTraceFixtures.Record(SupervisorTraceFixtures.Simulated(43, 3_000)));

        Assert.Null(new SupervisorTrace().Diff(first, second));
        Assert.NotNull(new SupervisorTrace().Diff(first, other));
        Assert.Equal(first.FinalCheckpoint, second.FinalCheckpoint);
    }

    [Fact]
    public void The_simulated_world_reaches_the_engines_edges()
    {
        var seen = new Dictionary<string, int>();
        for (ulong seed = 1; seed <= 8; seed++)
        {
            var inputs = SupervisorTraceFixtures.Simulated(seed, 5_000, ChaosLevel.Heavy);
            var engine = new SupervisorEngine();
            var decisions = new List<SupervisorDecision>();
            foreach (var input in inputs)
            {
                engine.Handle(input, decisions);
            }

            void Count(string what, bool happened) => seen[what] = seen.GetValueOrDefault(what) + (happened ? 1 : 0);
            Count("restart", decisions.OfType<SupervisorDecision.RestartScheduled>().Any());
            Count("gave up", decisions.OfType<SupervisorDecision.GaveUp>().Any());
            Count("waiting", decisions.OfType<SupervisorDecision.StateChanged>().Any(c => c.To == ServiceState.Waiting && c.From != ServiceState.Waiting));
            Count("kill after grace", decisions.OfType<SupervisorDecision.KillInstance>().Any());
            Count("liveness stop", decisions.OfType<SupervisorDecision.StopInstance>().Any(s => s.Cause == StopCause.LivenessFailed));
            Count("operator", inputs.OfType<SupervisorInput.Operator>().Any());
            Count("reload", inputs.OfType<SupervisorInput.Reload>().Any());
            Count("start failed", inputs.OfType<SupervisorInput.StartFailed>().Any());
            Count("clock back", inputs.Zip(inputs.Skip(1)).Any(pair => pair.Second.At < pair.First.At));
        }

        output.WriteLine(string.Join(", ", seen.Select(pair => $"{pair.Key}: {pair.Value}/8 seeds")));
        Assert.All(seen, pair => Assert.True(pair.Value > 0, $"no seed reached '{pair.Key}'"));
    }

    [Fact]
    public void A_dependency_ignored_on_restart_is_found_within_a_bounded_number_of_seeds_and_shrunk_to_a_small_trace()
    {
        var simulation = new SupervisorSimulation(SupervisorPlantedBug.DependencyIgnoredOnRestart);

        var report = new Simulator<SupervisorInput>(simulation).Run(new SimulationOptions { Seeds = 64, EventsPerSeed = 5_000, FailureDirectory = _directory });

        var failure = Assert.Single(report.Failures);
        output.WriteLine($"seed {failure.Seed}, event {failure.EventIndex}: {failure.Violation}; shrunk to {failure.ShrunkInputs} inputs: {failure.ShrunkViolation}; {failure.Reproduce}");
        Assert.StartsWith("dependency not met", failure.Violation, StringComparison.Ordinal);
        Assert.StartsWith("dependency not met", failure.ShrunkViolation, StringComparison.Ordinal);
        Assert.True(failure.ShrunkInputs <= 16, $"shrunk to {failure.ShrunkInputs} inputs");
        Assert.Equal($"tether lab run --engine supervisor --seeds {failure.Seed}..{failure.Seed} --events 5000 --chaos light", failure.Reproduce);

        // The shrunk trace is a trace like any other: the shipped engine replays it without the violation, the planted one with it.
        var shrunk = TraceFile.Read(failure.TracePath!);
        var inputs = shrunk.Events(new SupervisorInputCodec()).Select(r => r.Input).ToList();
        Assert.Equal(failure.ShrunkInputs, inputs.Count);
        Assert.Null(new Simulator<SupervisorInput>(new SupervisorSimulation()).FirstViolation(shrunk.Header, inputs));
        Assert.NotNull(new Simulator<SupervisorInput>(simulation).FirstViolation(shrunk.Header, inputs));
    }
}
