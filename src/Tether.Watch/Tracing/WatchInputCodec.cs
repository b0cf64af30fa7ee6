using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// The watch engine's inputs in a trace (docs/formats/trace.md, "watch inputs"). A beat from an agent seen before in the
/// file costs a tag, the agent's small number, the time since the previous input and the beat's deltas against the
/// agent's previous beat — usually 7 to 9 bytes instead of 32 plus facts. Anything else (a new agent, a datagram that is
/// not a valid frame) is written whole. Encoding allocates nothing once the agent table is warm.
/// </summary>
public sealed class WatchInputCodec : ITraceCodec<WatchInput>
{
    /// <summary>The most agents a file numbers; later newcomers are written whole.</summary>
    public const int MaxAgents = 65_536;

    private const byte KindBeat = 0;
    private const byte KindDatagram = 1;
    private const byte KindTick = 2;
    private const byte KindFreshness = 3;
    private const byte KindRecoveryEnded = 4;
    private const byte NoncePlusOne = 1 << 3;
    private const byte StatusSame = 1 << 4;
    private const byte PayloadSame = 1 << 5;
    private const byte FactsSame = 1 << 6;
    private const byte HasValue = 1 << 3;

    private readonly Dictionary<uint, int> _slots = [];
    private Slot[] _agents = new Slot[64];
    private long _lastAt;
    private byte[] _block = [];
    private int _blockUsed;

    /// <inheritdoc/>
    public void Reset()
    {
        _slots.Clear();
        Array.Clear(_agents);
        _lastAt = 0;
    }

    /// <inheritdoc/>
    public TimeSpan TimeOf(WatchInput input) => input?.At ?? throw new ArgumentNullException(nameof(input));

    /// <inheritdoc/>
    public void Encode(WatchInput input, TraceEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(encoder);
        var at = input.At.Ticks;
        var delta = unchecked(at - _lastAt);
        _lastAt = at;
        switch (input)
        {
            case WatchInput.Datagram datagram:
                EncodeDatagram(datagram, delta, encoder);
                break;
            case WatchInput.Tick:
                encoder.WriteByte(KindTick);
                encoder.WriteVarInt(delta);
                break;
            case WatchInput.FreshnessChecked freshness:
                encoder.WriteByte((byte)(KindFreshness | (freshness.StartTime is null ? 0 : HasValue)));
                encoder.WriteVarInt(delta);
                encoder.WriteVarInt(freshness.RecoveryId);
                if (freshness.StartTime is { } start)
                {
                    encoder.WriteVarUInt(start);
                }

                break;
            case WatchInput.RecoveryEnded ended:
                encoder.WriteByte(KindRecoveryEnded);
                encoder.WriteVarInt(delta);
                encoder.WriteVarInt(ended.RecoveryId);
                WriteResult(ended.Result, encoder);
                break;
            default:
                throw new ArgumentException($"A watch trace cannot record a {input.GetType().Name}.", nameof(input));
        }
    }

    /// <inheritdoc/>
    public WatchInput Decode(ref TraceDecoder decoder)
    {
        var tag = decoder.ReadByte();
        var at = unchecked(_lastAt + decoder.ReadVarInt());
        _lastAt = at;
        var time = TimeSpan.FromTicks(at);
        switch (tag & 7)
        {
            case KindBeat:
                return DecodeBeat(tag, time, ref decoder);
            case KindDatagram:
                {
                    var bytes = decoder.ReadLengthPrefixed().ToArray();
                    var facts = ReadFacts(ref decoder);
                    Learn(bytes, facts, at);
                    return new WatchInput.Datagram(time, bytes, facts);
                }

            case KindTick:
                return new WatchInput.Tick(time);
            case KindFreshness:
                {
                    var id = decoder.ReadVarInt();
                    ulong? start = (tag & HasValue) != 0 ? decoder.ReadVarUInt() : null;
                    return new WatchInput.FreshnessChecked(time, id, start);
                }

            case KindRecoveryEnded:
                {
                    var id = decoder.ReadVarInt();
                    return new WatchInput.RecoveryEnded(time, id, ReadResult(ref decoder));
                }

            default:
                throw new TraceFormatException($"unknown watch input kind {tag & 7}");
        }
    }

    private void EncodeDatagram(WatchInput.Datagram datagram, long delta, TraceEncoder encoder)
    {
        var bytes = datagram.Bytes.Span;
        if (Frame.TryDecode(bytes, out var frame, out _) && _slots.TryGetValue(frame.Pid, out var slot))
        {
            ref var agent = ref _agents[slot];
            var tag = KindBeat;
            var nonceDelta = unchecked((long)(frame.Nonce - agent.Nonce));
            tag |= nonceDelta == 1 ? NoncePlusOne : (byte)0;
            tag |= frame.Status == agent.Status ? StatusSame : (byte)0;
            tag |= frame.Payload == agent.Payload ? PayloadSame : (byte)0;
            var factsSame = datagram.Facts.Equals(agent.Facts);
            tag |= factsSame ? FactsSame : (byte)0;
            encoder.WriteByte(tag);
            encoder.WriteVarInt(delta);
            encoder.WriteVarUInt((ulong)slot);
            if (nonceDelta != 1)
            {
                encoder.WriteVarInt(nonceDelta);
            }

            encoder.WriteVarInt(Residual(frame.Timestamp, agent, _lastAt));
            if (frame.Status != agent.Status)
            {
                encoder.WriteByte((byte)frame.Status);
            }

            if (frame.Payload != agent.Payload)
            {
                encoder.WriteVarInt(unchecked((int)(frame.Payload - agent.Payload)));
            }

            if (!factsSame)
            {
                WriteFacts(datagram.Facts, encoder);
                agent.Facts = datagram.Facts;
            }

            agent.Update(frame, _lastAt);
            return;
        }

        encoder.WriteByte(KindDatagram);
        encoder.WriteVarInt(delta);
        encoder.WriteLengthPrefixed(bytes);
        WriteFacts(datagram.Facts, encoder);
        Learn(bytes, datagram.Facts, _lastAt);
    }

    private WatchInput.Datagram DecodeBeat(byte tag, TimeSpan time, ref TraceDecoder decoder)
    {
        var slot = decoder.ReadCount();
        var at = time.Ticks;
        if (slot >= _slots.Count)
        {
            throw new TraceFormatException($"agent number {slot} was never introduced");
        }

        // Read in the order Encode wrote (the time delta was read by Decode).
        ref var agent = ref _agents[slot];
        var nonce = (tag & NoncePlusOne) != 0 ? unchecked(agent.Nonce + 1) : unchecked(agent.Nonce + (ulong)decoder.ReadVarInt());
        var residual = decoder.ReadVarInt();
        var timestamp = unchecked(agent.Timestamp + (ulong)(((at - agent.At) * 100) + residual));
        var status = (tag & StatusSame) != 0 ? agent.Status : (BeatStatus)decoder.ReadByte();
        var payload = (tag & PayloadSame) != 0 ? agent.Payload : unchecked(agent.Payload + (uint)(int)decoder.ReadVarInt());
        if ((tag & FactsSame) == 0)
        {
            agent.Facts = ReadFacts(ref decoder);
        }

        var frame = new Frame(status, agent.Pid, timestamp, nonce, payload);
        agent.Update(frame, at);
        return new WatchInput.Datagram(time, Rebuild(frame), agent.Facts!);
    }

    /// <summary>
    /// The frame's 32 bytes in a slice of a shared block: replay decodes millions of beats, and one allocation per
    /// 2,048 of them instead of one each is a good part of its speed. A block is never reused, so every slice stays valid.
    /// </summary>
    private ReadOnlyMemory<byte> Rebuild(in Frame frame)
    {
        if (_block.Length - _blockUsed < Frame.Size)
        {
            _block = new byte[Frame.Size * 2048];
            _blockUsed = 0;
        }

        var slice = _block.AsMemory(_blockUsed, Frame.Size);
        frame.Encode(slice.Span);
        _blockUsed += Frame.Size;
        return slice;
    }

    /// <summary>The emitter's clock moves with ours: predict its timestamp from our time since the agent's last beat.</summary>
    private static long Residual(ulong timestamp, in Slot agent, long at) =>
        unchecked((long)(timestamp - agent.Timestamp) - ((at - agent.At) * 100));

    /// <summary>A whole datagram that is a valid frame introduces its agent (both sides do this, in the same order).</summary>
    private void Learn(ReadOnlySpan<byte> bytes, OriginFacts facts, long at)
    {
        if (!Frame.TryDecode(bytes, out var frame, out _) || _slots.ContainsKey(frame.Pid) || _slots.Count >= MaxAgents)
        {
            return;
        }

        var slot = _slots.Count;
        if (slot == _agents.Length)
        {
            Array.Resize(ref _agents, _agents.Length * 2);
        }

        _slots[frame.Pid] = slot;
        _agents[slot] = new Slot { Pid = frame.Pid, Facts = facts };
        _agents[slot].Update(frame, at);
    }

    private static void WriteFacts(OriginFacts facts, TraceEncoder encoder)
    {
        var flags = (facts.SenderPid is null ? 0 : 1) | (facts.SenderUid is null ? 0 : 2) | (facts.SameNamespace is null ? 0 : 4) | (facts.SameNamespace == true ? 8 : 0) | (facts.StartTime is null ? 0 : 16) | (facts.Peer is null ? 0 : 32);
        encoder.WriteByte((byte)flags);
        encoder.WriteByte((byte)facts.Origin);
        if (facts.SenderPid is { } pid)
        {
            encoder.WriteVarInt(pid);
        }

        if (facts.SenderUid is { } uid)
        {
            encoder.WriteVarInt(uid);
        }

        if (facts.StartTime is { } start)
        {
            encoder.WriteVarUInt(start);
        }

        if (facts.Peer is { } peer)
        {
            encoder.WriteString(peer);
        }
    }

    private static OriginFacts ReadFacts(ref TraceDecoder decoder)
    {
        var flags = decoder.ReadByte();
        var origin = decoder.ReadByte();
        if (origin > (byte)Origin.KernelAttested)
        {
            throw new TraceFormatException($"unknown origin {origin}");
        }

        int? pid = (flags & 1) != 0 ? (int)decoder.ReadVarInt() : null;
        int? uid = (flags & 2) != 0 ? (int)decoder.ReadVarInt() : null;
        bool? same = (flags & 4) != 0 ? (flags & 8) != 0 : null;
        ulong? start = (flags & 16) != 0 ? decoder.ReadVarUInt() : null;
        var peer = (flags & 32) != 0 ? decoder.ReadString() : null;
        return new OriginFacts((Origin)origin, pid, uid, same, start, peer);
    }

    private static void WriteResult(RecoveryResult result, TraceEncoder encoder)
    {
        switch (result.Outcome)
        {
            case null:
                encoder.WriteByte(0);
                break;
            case Outcome.Exited exited:
                encoder.WriteByte(1);
                encoder.WriteVarInt(exited.Code);
                break;
            case Outcome.Signalled signalled:
                encoder.WriteByte(2);
                encoder.WriteVarInt(signalled.Signal?.Number ?? -1);
                encoder.WriteByte(signalled.OutOfMemory ? (byte)1 : (byte)0);
                break;
            case Outcome.TimedOut timedOut:
                encoder.WriteByte(3);
                encoder.WriteByte((byte)timedOut.Kind);
                encoder.WriteVarInt(timedOut.After.Ticks);
                break;
        }

        encoder.WriteByte(result.Failure is null ? (byte)0 : (byte)1);
        if (result.Failure is { } failure)
        {
            encoder.WriteString(failure);
        }

        encoder.WriteVarInt(result.Duration.Ticks);
        encoder.WriteVarInt(result.StdoutBytes);
        encoder.WriteVarInt(result.StderrBytes);
        encoder.WriteByte(result.Truncated ? (byte)1 : (byte)0);
    }

    private static RecoveryResult ReadResult(ref TraceDecoder decoder)
    {
        Outcome? outcome = decoder.ReadByte() switch
        {
            0 => null,
            1 => new Outcome.Exited((int)decoder.ReadVarInt()),
            2 => ReadSignalled(ref decoder),
            3 => new Outcome.TimedOut((TimeoutKind)decoder.ReadByte(), TimeSpan.FromTicks(decoder.ReadVarInt())),
            var other => throw new TraceFormatException($"unknown recovery outcome {other}"),
        };
        var failure = decoder.ReadByte() != 0 ? decoder.ReadString() : null;
        var duration = TimeSpan.FromTicks(decoder.ReadVarInt());
        var stdout = decoder.ReadVarInt();
        var stderr = decoder.ReadVarInt();
        var truncated = decoder.ReadByte() != 0;
        return new RecoveryResult(outcome, failure, duration, stdout, stderr, truncated);
    }

    private static Outcome.Signalled ReadSignalled(ref TraceDecoder decoder)
    {
        var number = (int)decoder.ReadVarInt();
        var oom = decoder.ReadByte() != 0;
        return new Outcome.Signalled(number < 0 ? null : new Signal(number)) { OutOfMemory = oom };
    }

    /// <summary>What the codec remembers of an agent: the base of the next beat's deltas.</summary>
    private struct Slot
    {
        public uint Pid;
        public OriginFacts? Facts;
        public ulong Nonce;
        public ulong Timestamp;
        public long At;
        public uint Payload;
        public BeatStatus Status;

        public void Update(in Frame frame, long at)
        {
            Nonce = frame.Nonce;
            Timestamp = frame.Timestamp;
            Payload = frame.Payload;
            Status = frame.Status;
            At = at;
        }
    }
}
