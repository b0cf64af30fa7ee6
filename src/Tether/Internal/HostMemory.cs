namespace Tether.Internal;

/// <summary>This process's own peak resident memory, from <c>VmHWM</c> in <c>/proc/self/status</c>.</summary>
internal static class HostMemory
{
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
