namespace Tether.Internal;

/// <summary>This process's own peak resident memory, from <c>VmHWM</c> in <c>/proc/self/status</c>.</summary>
internal static class HostMemory
{
    private static long _knownPeak;

    /// <summary>
    /// Whether this process's peak resident memory is at least <paramref name="bytes"/>. A peak only grows, so a figure
    /// at or below one read before needs no new read of <c>/proc/self/status</c> (which the kernel builds afresh, field
    /// by field, for every read); null when it cannot be read.
    /// </summary>
    public static bool? PeakIsAtLeast(long bytes)
    {
        if (bytes <= Volatile.Read(ref _knownPeak))
        {
            return true;
        }

        if (PeakResidentBytes() is not { } peak)
        {
            return null;
        }

        // Racing readers may store an older figure over a newer one; that only costs a later caller a read.
        Volatile.Write(ref _knownPeak, Math.Max(peak, Volatile.Read(ref _knownPeak)));
        return peak >= bytes;
    }

    public static long? PeakResidentBytes()
    {
        Span<byte> buffer = stackalloc byte[4096];
        var length = KernelFile.Read("/proc/self/status", buffer);
        if (length <= 0)
        {
            return null;
        }

        var content = buffer[..length];
        var start = content.IndexOf("VmHWM:"u8);
        if (start < 0)
        {
            return null;
        }

        var line = content[(start + 6)..];
        var end = line.IndexOf((byte)'\n');
        line = (end < 0 ? line : line[..end]).Trim(" \t"u8);
        var kb = line.IndexOf((byte)' ');
        return long.TryParse(kb < 0 ? line : line[..kb], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var kilobytes)
            ? kilobytes * 1024
            : null;
    }
}
