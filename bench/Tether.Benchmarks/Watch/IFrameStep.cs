using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>
/// The work done for one received frame, measured per frame by <see cref="FrameCodecBenchmarks"/> (throughput) and by
/// <c>vlp-latency</c> (<see cref="FrameLatency"/>, per-frame percentiles). Steps are structs, so the generic callers are
/// specialised per step and the call costs nothing. The watcher engine's "track" step (issue 5) becomes one more step
/// (decode, then hand the frame to the engine) with one more benchmark and one more latency row.
/// </summary>
internal interface IFrameStep
{
    /// <summary>Handles frame <paramref name="index"/> of the step's set; returns a value that depends on the result, so
    /// the JIT cannot drop the work.</summary>
    ulong Run(int index);
}

/// <summary>Decodes frame <c>index</c> of a buffer of back-to-back 32-byte datagrams with <see cref="Frame.TryDecode"/>.</summary>
internal readonly struct DecodeStep(byte[] datagrams) : IFrameStep
{
    public ulong Run(int index) =>
        Frame.TryDecode(datagrams.AsSpan(index * Frame.Size, Frame.Size), out var frame, out var error) ? frame.Nonce : error.Actual;
}

/// <summary>Encodes frame <c>index</c> of a set into its 32-byte slot of a buffer with <see cref="Frame.Encode"/>.</summary>
internal readonly struct EncodeStep(Frame[] frames, byte[] destination) : IFrameStep
{
    public ulong Run(int index)
    {
        var slot = destination.AsSpan(index * Frame.Size, Frame.Size);
        frames[index].Encode(slot);
        return slot[28];
    }
}

/// <summary>Nothing: what timing a step costs by itself (two clock reads) in <see cref="FrameLatency"/>.</summary>
internal readonly struct NoStep : IFrameStep
{
    public ulong Run(int index) => (ulong)index;
}
