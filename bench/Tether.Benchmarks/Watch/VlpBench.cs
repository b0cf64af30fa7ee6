using System.Buffers.Binary;
using Tether.Watch;

namespace Tether.Benchmarks.Watch;

/// <summary>The frames the VLP codec measurements handle, and the checks made before anything is measured.</summary>
internal static class VlpBench
{
    /// <summary>Frames per set (a power of two, so an index wraps with a mask).</summary>
    public const int Frames = 1024;

    /// <summary>Agents the set's frames come from.</summary>
    public const int Agents = 64;

    /// <summary>
    /// <see cref="Frames"/> valid frames as a watcher receives them: <see cref="Agents"/> agents (pids 1000–1063) taking
    /// turns, each with its own increasing nonce and timestamp (about 1 ms apart), 90 % ok, 8 % degraded, 2 % critical,
    /// random payloads; seeded, so every run measures the same bytes.
    /// </summary>
    public static Frame[] ValidFrames()
    {
        var random = new Random(20_251_122);
        var frames = new Frame[Frames];
        for (var i = 0; i < Frames; i++)
        {
            var agent = i % Agents;
            var beat = (ulong)(i / Agents) + 1;
            var roll = random.Next(100);
            var status = roll < 90 ? BeatStatus.Ok : roll < 98 ? BeatStatus.Degraded : BeatStatus.Critical;
            frames[i] = new Frame(status, (uint)(1000 + agent), (beat * 1_000_000) + (ulong)random.Next(50_000), beat, (uint)random.Next());
        }

        return frames;
    }

    /// <summary>The frames' 32 bytes each, back to back.</summary>
    public static byte[] Encode(Frame[] frames)
    {
        var bytes = new byte[frames.Length * Frame.Size];
        for (var i = 0; i < frames.Length; i++)
        {
            frames[i].Encode(bytes.AsSpan(i * Frame.Size));
        }

        return bytes;
    }

    /// <summary>The same datagrams with one payload bit flipped in each, so every one fails at the CRC (the last and
    /// dearest of the checks a damaged or forged frame can fail).</summary>
    public static byte[] Damage(byte[] datagrams)
    {
        var damaged = (byte[])datagrams.Clone();
        for (var i = 0; i < damaged.Length / Frame.Size; i++)
        {
            damaged[(i * Frame.Size) + 24 + (i % 4)] ^= (byte)(1 << (i % 8));
        }

        return damaged;
    }

    /// <summary>Fails loudly unless every step does what it claims and decoding allocates nothing.</summary>
    public static void Validate(Frame[] frames, byte[] valid, byte[] damaged)
    {
        for (var i = 0; i < frames.Length; i++)
        {
            var slot = valid.AsSpan(i * Frame.Size, Frame.Size);
            Validation.Expect(Frame.TryDecode(slot, out var frame, out _) && frame == frames[i], $"decoded frame {i}");
            Validation.Expect(!Frame.TryDecode(damaged.AsSpan(i * Frame.Size, Frame.Size), out _, out var error) && error.Kind == FrameErrorKind.Crc, $"the error of damaged frame {i}");
            Validation.Expect(BinaryPrimitives.ReadUInt64LittleEndian(slot[16..]) == new DecodeStep(valid).Run(i), $"the decode step's result for frame {i}");
        }

        var encoded = new byte[valid.Length];
        var encode = new EncodeStep(frames, encoded);
        for (var i = 0; i < frames.Length; i++)
        {
            encode.Run(i);
        }

        Validation.Expect(encoded.AsSpan().SequenceEqual(valid), "the encode step's bytes");

        var decode = new DecodeStep(valid);
        var reject = new DecodeStep(damaged);
        var sink = 0ul;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100 * Frames; i++)
        {
            sink += decode.Run(i & (Frames - 1)) + reject.Run(i & (Frames - 1));
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Validation.Expect(allocated == 0, $"the bytes allocated by {200 * Frames} decodes ({allocated}, checksum {sink})");
        Console.WriteLine($"// VLP codec validation: {Frames} frames from {Agents} agents decode and encode byte for byte, damaged ones fail at the CRC, {200 * Frames} decodes allocated 0 bytes");
    }
}
