namespace Tether.Lab.Tests;

/// <summary>The generic replayer, diff, one-line assertion and simulator, on the counter engine.</summary>
public sealed class ReplaySpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-lab-replay-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_same_engine_replays_a_trace_identically_and_the_assertion_passes()
    {
        var path = Path.Combine(_directory, "same.trace");
        TraceWriter<long>.WriteFile(path, CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide(Enumerable.Range(1, 5_000).Select(i => (long)(i % 13))));

        var result = TraceAssert.ReplaysIdentically(path, new CounterEngine());

        Assert.True(result.Identical);
        Assert.Equal(5_000, result.Events);
    }

    [Fact]
    public void A_changed_engine_diverges_at_the_first_changed_decision_with_context_and_a_prefix_that_diverges_at_its_end()
    {
        var inputs = Enumerable.Range(1, 500).Select(_ => 7L).ToList();
        var path = Path.Combine(_directory, "recorded.trace");
        TraceWriter<long>.WriteFile(path, CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide(inputs, line: 100));
        var prefix = Path.Combine(_directory, "prefix.trace");

        var result = new CounterEngine(line: 90).Replay([TraceFile.Read(path)], prefix);

        // Totals 7, 14, …: the recording alarmed passing 100 (at 105, event 14); the changed engine passes 90 first (at 91, event 12).
        var divergence = Assert.IsType<Divergence>(result.Divergence);
        Assert.Equal(12, divergence.Index);
        Assert.Equal(["alarm at 91"], divergence.ActualDecisions);
        Assert.Equal(10, divergence.Before.Count);
        Assert.Equal("#2 add 7", divergence.Before[0]);
        Assert.Equal(["#13 add 7", "#14 add 7", "#15 add 7", "#16 add 7", "#17 add 7"], divergence.After);
        Assert.Contains("diverged at event 12", divergence.Report(), StringComparison.Ordinal);
        Assert.Equal(prefix, result.PrefixPath);
        Assert.Equal(13, TraceFile.Read(prefix).EventCount);
        Assert.Equal(12, new CounterEngine(line: 90).Replay([TraceFile.Read(prefix)]).Divergence?.Index);
        var assertion = Assert.Throws<TraceAssertionException>(() => TraceAssert.ReplaysIdentically(path, new CounterEngine(line: 90)));
        Assert.Contains("diverged at event 12", assertion.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_names_the_first_differing_input()
    {
        var a = TraceFile.Parse(TraceWriter<long>.Encode(CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide([1, 2, 3, 4])));
        var b = TraceFile.Parse(TraceWriter<long>.Encode(CounterEngine.Header(), new CounterEngine().CreateCodec(), CounterEngine.Decide([1, 2, 5, 4])));

        var difference = new CounterEngine().Diff(a, b);

        Assert.Equal(new TraceDifference(2, "input", "#2 add 3", "#2 add 5"), difference);
        Assert.Null(new CounterEngine().Diff(a, a));
        Assert.Equal("seed", new CounterEngine().Diff(a, TraceFile.Parse(TraceWriter<long>.Encode(CounterEngine.Header(seed: 9), new CounterEngine().CreateCodec(), [])))?.What);
    }

    [Fact]
    public void A_trace_of_another_engine_is_refused_with_its_name()
    {
        var other = TraceFile.Parse(TraceWriter<long>.Encode(new TraceHeader("supervisor", 1, 0, Array.Empty<byte>()), new CounterEngine().CreateCodec(), []));

        var ex = Assert.Throws<TraceFormatException>(() => new CounterEngine().Replay([other]));

        Assert.Contains("engine 'supervisor'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delta_debugging_shrinks_to_a_one_minimal_failing_input()
    {
        var inputs = Enumerable.Range(0, 1_000).ToList();

        // Fails when both 123 and 877 are present.
        var shrunk = Shrinker.Shrink(inputs, candidate => candidate.Contains(123) && candidate.Contains(877), budget: 10_000);

        Assert.Equal([123, 877], shrunk);
    }
}
