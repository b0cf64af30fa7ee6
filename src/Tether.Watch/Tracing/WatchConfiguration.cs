using Tether.Lab;

namespace Tether.Watch;

/// <summary>The engine's settings as a trace header carries them: every field that decides anything, in a fixed order.</summary>
public static class WatchConfiguration
{
    private const byte Layout = 1;

    /// <summary>The bytes of <paramref name="options"/>.</summary>
    public static byte[] Encode(WatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var encoder = new TraceEncoder(64);
        encoder.WriteByte(Layout);
        encoder.WriteVarInt(options.Threshold.Ticks);
        encoder.WriteVarInt(options.Capacity);
        encoder.WriteByte(options.EvictAfter is null ? (byte)0 : (byte)1);
        if (options.EvictAfter is { } evict)
        {
            encoder.WriteVarInt(evict.Ticks);
        }

        encoder.WriteVarInt(options.AgentBeatsPerSecond);
        encoder.WriteVarInt(options.GlobalBeatsPerSecond);
        encoder.WriteByte(options.AllowCrossNamespace ? (byte)1 : (byte)0);
        encoder.WriteByte(options.RecoveryEnabled ? (byte)1 : (byte)0);
        encoder.WriteVarInt(options.RecoveryDebounce.Ticks);
        encoder.WriteVarInt(options.MaxRecoveriesInFlight);
        encoder.WriteVarInt(options.DebounceLedgerCapacity);
        return encoder.Written.ToArray();
    }

    /// <summary>The settings <see cref="Encode"/> wrote.</summary>
    /// <exception cref="TraceFormatException">The bytes are not watch settings this version knows.</exception>
    public static WatchOptions Decode(ReadOnlySpan<byte> bytes)
    {
        var decoder = new TraceDecoder(bytes);
        var layout = decoder.ReadByte();
        if (layout != Layout)
        {
            throw new TraceFormatException($"watch settings layout {layout} is not known (this tether reads layout {Layout})");
        }

        var options = new WatchOptions
        {
            Threshold = TimeSpan.FromTicks(decoder.ReadVarInt()),
            Capacity = (int)decoder.ReadVarInt(),
            EvictAfter = decoder.ReadByte() != 0 ? TimeSpan.FromTicks(decoder.ReadVarInt()) : null,
            AgentBeatsPerSecond = (int)decoder.ReadVarInt(),
            GlobalBeatsPerSecond = (int)decoder.ReadVarInt(),
            AllowCrossNamespace = decoder.ReadByte() != 0,
            RecoveryEnabled = decoder.ReadByte() != 0,
            RecoveryDebounce = TimeSpan.FromTicks(decoder.ReadVarInt()),
            MaxRecoveriesInFlight = (int)decoder.ReadVarInt(),
            DebounceLedgerCapacity = (int)decoder.ReadVarInt(),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new TraceFormatException($"the trace's watch settings are out of range: {ex.Message}", ex);
        }

        return options;
    }
}
