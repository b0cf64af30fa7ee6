using Tether.Lab;
using Tether.Watch;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>A small watch trace: pid 4242 beats, stalls, is recovered, beats again, stalls again and is refused (debounced).</summary>
internal static class TraceFixture
{
    public static WatchOptions Options { get; } = new() { Threshold = TimeSpan.FromSeconds(1), RecoveryEnabled = true, RecoveryDebounce = TimeSpan.FromSeconds(60) };

    public static WatchInput[] Inputs()
    {
        var facts = new OriginFacts(Origin.KernelAttested, SenderPid: 4242, SenderUid: 1000, SameNamespace: true, StartTime: 99);
        WatchInput Beat(int ms, ulong nonce) => new WatchInput.Datagram(TimeSpan.FromMilliseconds(ms), new Frame(BeatStatus.Ok, 4242, (ulong)ms * 1_000_000, nonce, 0).ToBytes(), facts);
        return
        [
            Beat(0, 1), Beat(100, 2), new WatchInput.Tick(TimeSpan.FromMilliseconds(1200)),
            new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(1210), 1, 99),
            new WatchInput.RecoveryEnded(TimeSpan.FromMilliseconds(1400), 1, new RecoveryResult(new Outcome.Exited(0), null, TimeSpan.FromMilliseconds(190), 0, 0, false)),
            Beat(2000, 3), new WatchInput.Tick(TimeSpan.FromMilliseconds(3100)),
            new WatchInput.FreshnessChecked(TimeSpan.FromMilliseconds(3105), 2, 99),
        ];
    }

    /// <summary>The trace's bytes, with the decisions of <paramref name="options"/> (the fixture's settings by default).</summary>
    public static byte[] Bytes(WatchOptions? options = null)
    {
        var header = WatchTrace.Header(options ?? Options);
        return TraceWriter<WatchInput>.Encode(header, new WatchInputCodec(), TraceReplayer.Decide(new WatchTrace(), header, Inputs()));
    }
}
