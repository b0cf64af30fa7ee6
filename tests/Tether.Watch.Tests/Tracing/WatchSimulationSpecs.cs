using System.Globalization;
using Tether.Lab;
using Xunit.Abstractions;

namespace Tether.Watch.Tests.Tracing;

/// <summary>
/// The seeded simulator on the watch engine: a fixed seed range holds every invariant (CI), a seed always gives the same
/// run, and each planted bug is found within a bounded number of seeds and shrunk to a small trace. Set
/// <c>TETHER_LAB_SEEDS=N</c> to run seeds 1..N (both chaos levels) instead of the CI range.
/// </summary>
public sealed class WatchSimulationSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-lab-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(ChaosLevel.None)]
    [InlineData(ChaosLevel.Light)]
    [InlineData(ChaosLevel.Heavy)]
    public void The_engine_as_shipped_holds_every_invariant_over_the_ci_seed_range(ChaosLevel chaos)
    {
        var seeds = int.TryParse(Environment.GetEnvironmentVariable("TETHER_LAB_SEEDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 24;

        var report = new Simulator<WatchInput>(new WatchSimulation()).Run(new SimulationOptions { Seeds = seeds, Chaos = chaos, FailureDirectory = _directory });

        Assert.True(report.Failures.Count == 0, string.Join('\n', report.Failures.Select(f => $"seed {f.Seed}: {f.Violation} ({f.Reproduce})")));
        Assert.Equal(seeds, report.SeedsRun);
        Assert.Equal(seeds * 10_000L, report.EventsRun);
    }

    [Fact]
    public void A_seed_always_gives_the_same_run()
    {
        var first = TraceFile.Parse(WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(42, 5_000)));
        var second = TraceFile.Parse(WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(42, 5_000)));
        var other = TraceFile.Parse(WatchTraceFixtures.Record(WatchSimulation.Settings, WatchTraceFixtures.Simulated(43, 5_000)));

        Assert.Null(new WatchTrace().Diff(first, second));
        Assert.NotNull(new WatchTrace().Diff(first, other));
        Assert.Equal(first.FinalCheckpoint, second.FinalCheckpoint);
    }

    [Fact]
    public void The_simulated_world_reaches_the_engines_edges()
    {
        for (ulong seed = 1; seed <= 8; seed++)
        {
            var checkedEngine = new WatchInvariants(WatchSimulation.Settings, PlantedBug.None);
            foreach (var input in WatchTraceFixtures.Simulated(seed, 10_000))
            {
                checkedEngine.Feed(input, out _);
            }

            var counters = checkedEngine.Engine.Counters;
            output.WriteLine($"seed {seed}: beats {counters.Beats} stalls {counters.Stalls} recoveries {counters.RecoveriesStarted} debounced {counters.Refusals(RecoveryRefusal.Debounced)} resumed {counters.Refusals(RecoveryRefusal.Resumed)} recycled {counters.Refusals(RecoveryRefusal.PidRecycled)} gone {counters.Refusals(RecoveryRefusal.AgentGone)} reuse {counters.PidReuses} spoofed {counters.AuthenticationFailures} out-of-order {counters.Drops(DropReason.OutOfOrder)} rate {counters.Drops(DropReason.AgentRateLimited)}");
            Assert.True(counters.Stalls > 0 && counters.RecoveriesStarted > 0 && counters.Refusals(RecoveryRefusal.Debounced) > 0, $"seed {seed}");
            Assert.True(counters.Refusals(RecoveryRefusal.Resumed) + counters.Refusals(RecoveryRefusal.AgentGone) + counters.Refusals(RecoveryRefusal.PidRecycled) > 0, $"seed {seed}");
            Assert.True(counters.PidReuses + counters.AuthenticationFailures + counters.Drops(DropReason.OutOfOrder) + counters.Drops(DropReason.AgentRateLimited) > 0, $"seed {seed}");
        }
    }

    [Theory]
    [InlineData(nameof(PlantedBug.DebounceOffByOne), "debounce violated")]
    [InlineData(nameof(PlantedBug.MissingRecheck), "recovered a live agent")]
    public void A_planted_bug_is_found_within_a_bounded_number_of_seeds_and_shrunk_to_a_small_trace(string planted, string violation)
    {
        var bug = Enum.Parse<PlantedBug>(planted);
        var simulation = new WatchSimulation(bug);

        var report = new Simulator<WatchInput>(simulation).Run(new SimulationOptions { Seeds = 64, FailureDirectory = _directory });

        var failure = Assert.Single(report.Failures);
        output.WriteLine($"{bug}: seed {failure.Seed}, event {failure.EventIndex}: {failure.Violation}; shrunk to {failure.ShrunkInputs} inputs: {failure.ShrunkViolation}; {failure.Reproduce}");
        Assert.StartsWith(violation, failure.Violation, StringComparison.Ordinal);
        Assert.StartsWith(violation, failure.ShrunkViolation, StringComparison.Ordinal);
        Assert.True(failure.ShrunkInputs <= 16, $"shrunk to {failure.ShrunkInputs} inputs");
        Assert.Equal($"tether lab run --engine watch --seeds {failure.Seed}..{failure.Seed} --events 10000 --chaos light", failure.Reproduce);

        // The shrunk trace on disk still fails, and the engine as shipped decides differently on it.
        var trace = TraceFile.Read(Assert.IsType<string>(failure.TracePath));
        var inputs = trace.Events(new WatchInputCodec()).Select(r => r.Input).ToList();
        Assert.Equal(failure.ShrunkInputs, inputs.Count);
        Assert.NotNull(new Simulator<WatchInput>(simulation).FirstViolation(trace.Header, inputs));
        Assert.Null(new Simulator<WatchInput>(new WatchSimulation()).FirstViolation(trace.Header, inputs));
        Assert.False(new WatchTrace().Replay([trace]).Identical);
    }
}
