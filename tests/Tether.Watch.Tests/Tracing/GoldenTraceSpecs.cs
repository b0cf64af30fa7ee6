using Tether.Lab;

namespace Tether.Watch.Tests.Tracing;

/// <summary>
/// The golden trace (tests/Tether.Watch.Tests/Golden/watch-recovery.trace, described in docs/formats/trace.md): an agent
/// beats, stalls, is recovered, beats again, stalls again and is refused by the debounce. The file decodes to exactly
/// these inputs, replays identically, and today's writer still writes it byte for byte — so the format cannot drift
/// unnoticed.
/// </summary>
public sealed class GoldenTraceSpecs
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Golden", "watch-recovery.trace");

    private static readonly OriginFacts Facts = new(Origin.KernelAttested, SenderPid: 4242, SenderUid: 1000, SameNamespace: true, StartTime: 99);

    internal static WatchOptions Options { get; } = new() { Threshold = TimeSpan.FromSeconds(1), RecoveryEnabled = true, RecoveryDebounce = TimeSpan.FromSeconds(60) };

    internal static WatchInput[] Inputs { get; } =
    [
        Beat(0, 1), Beat(100, 2), new WatchInput.Tick(TimeSpan.FromMilliseconds(1200)),
        new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(1210), 1, 99),
        new WatchInput.RecoveryEnded(TimeSpan.FromMilliseconds(1400), 1, new RecoveryResult(new Outcome.Exited(0), null, TimeSpan.FromMilliseconds(190), 0, 0, false)),
        Beat(2000, 3), new WatchInput.Tick(TimeSpan.FromMilliseconds(3100)),
        new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(3105), 2, 99),
    ];

    [Fact]
    public void The_golden_trace_decodes_to_its_inputs_and_replays_identically()
    {
        var file = TraceFile.Read(GoldenPath);

        Assert.Equal(("watch", 1, 0UL, 0, 0L), (file.Header.EngineKind, file.Header.EngineVersion, file.Header.Seed, file.Header.FileSequence, file.Header.FirstEventIndex));
        Assert.Equal(Options, WatchConfiguration.Decode(file.Header.Configuration.Span));
        Assert.Null(file.Stop);
        var read = file.Events(new WatchInputCodec()).Select(r => r.Input).ToList();
        Assert.Equal(Inputs.Length, read.Count);
        Assert.All(Inputs.Zip(read), pair => Assert.True(WatchTraceFixtures.Same(pair.First, pair.Second), $"{pair.First} ≠ {pair.Second}"));
        TraceAssert.ReplaysIdentically(GoldenPath, new WatchTrace());
    }

    [Fact]
    public void Todays_writer_writes_the_golden_trace_byte_for_byte()
    {
        var written = WatchTraceFixtures.Record(Options, Inputs);

        var golden = File.ReadAllBytes(GoldenPath);
        if (!golden.AsSpan().SequenceEqual(written))
        {
            var path = Path.Combine(Path.GetTempPath(), "watch-recovery.trace.actual");
            File.WriteAllBytes(path, written);
            Assert.Fail($"the writer no longer writes the golden trace: {golden.Length} bytes golden, {written.Length} written (saved at {path}); a format change needs a new version");
        }
    }

    private static WatchInput.Datagram Beat(int ms, ulong nonce) =>
        new(TimeSpan.FromMilliseconds(ms), new Frame(BeatStatus.Ok, 4242, (ulong)ms * 1_000_000, nonce, 0).ToBytes(), Facts);
}
