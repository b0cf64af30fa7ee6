using BenchmarkDotNet.Attributes;
using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// The VLP v0.2 codec per frame (issue 5's target is decode + track at 1 M frames/s or more on one core, p99 under
/// 1 µs; the watcher engine's track step is not here yet, so this measures decode alone, and encode). One operation is
/// one frame: every invocation handles the <see cref="VlpBench.Frames"/> frames of a set back to back, and
/// BenchmarkDotNet divides by that (<c>OperationsPerInvoke</c>). Per-frame latency percentiles come from the
/// <c>vlp-latency</c> mode (<see cref="FrameLatency"/>), which times the same steps one frame at a time.
/// </summary>
/// <remarks>To add tracking: an <see cref="IFrameStep"/> that decodes and hands the frame to the engine, and one more
/// method here like <see cref="Decode"/>.</remarks>
[Config(typeof(FrameCodecConfig))]
public class FrameCodecBenchmarks
{
    private DecodeStep _decode;
    private DecodeStep _reject;
    private EncodeStep _encode;
    private TrackState _trackState = null!;

    [GlobalSetup]
    public void Setup()
    {
        var frames = VlpBench.ValidFrames();
        var valid = VlpBench.Encode(frames);
        var damaged = VlpBench.Damage(valid);
        Validation.Once(nameof(FrameCodecBenchmarks), () => VlpBench.Validate(frames, valid, damaged));
        _decode = new DecodeStep(valid);
        _reject = new DecodeStep(damaged);
        _encode = new EncodeStep(frames, new byte[valid.Length]);
        _trackState = new TrackState();
        Validation.Once(nameof(FrameCodecBenchmarks) + ".Track", () =>
        {
            var probe = new TrackState();
            _ = RunAll(new TrackStep(probe));
            if (probe.Accepted != VlpBench.Frames)
            {
                throw new InvalidOperationException($"The engine accepted {probe.Accepted} of {VlpBench.Frames} beats; every one must be accepted.");
            }
        });
    }

    [Benchmark(OperationsPerInvoke = VlpBench.Frames, Description = "Decode (valid frame)")]
    public ulong Decode() => RunAll(_decode);

    [Benchmark(OperationsPerInvoke = VlpBench.Frames, Description = "Decode (rejected: bad CRC)")]
    public ulong DecodeRejected() => RunAll(_reject);

    [Benchmark(OperationsPerInvoke = VlpBench.Frames, Description = "Encode")]
    public ulong Encode() => RunAll(_encode);

    [Benchmark(OperationsPerInvoke = VlpBench.Frames, Description = "Decode + track (engine)")]
    public ulong DecodeAndTrack() => RunAll(new TrackStep(_trackState));

    private static ulong RunAll<TStep>(TStep step)
        where TStep : struct, IFrameStep
    {
        var sum = 0ul;
        for (var i = 0; i < VlpBench.Frames; i++)
        {
            sum += step.Run(i);
        }

        return sum;
    }
}
