using System.Buffers.Text;
using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Interop;
using Tether.ProcFs;

namespace Tether.Watch;

/// <summary>
/// What <c>/proc</c> says about a process, read by the listeners when a datagram arrives (the engine never reads the
/// OS). Every method answers null when it cannot know — the process is gone, <c>/proc</c> is not readable, or the
/// platform is not Linux — and never throws for a missing process.
/// </summary>
internal static class ProcessFacts
{
    private static readonly Lazy<NamespaceIdentity?> OwnNamespace = new(() => NamespaceOf("self", out _));

    private static readonly Lazy<int?> OwnNamespaceDepth = new(() => ReadNamespaceDepth("self"));

    /// <summary>
    /// The start time of <paramref name="pid"/> in clock ticks since boot (field 22 of <c>/proc/PID/stat</c>), or null
    /// when there is no such process (or it cannot be read). Two readings that differ mean the pid was reused.
    /// </summary>
    public static ulong? StartTime(int pid) => ProcStat.Read(pid)?.StartTime;

    /// <summary>
    /// The identity (inode number) of the PID namespace <paramref name="pid"/> lives in: the inode of the target of
    /// <c>/proc/PID/ns/pid</c> (whose link text reads <c>pid:[INODE]</c>). Null when the process is gone or its
    /// namespace link may not be followed (another user's process, without CAP_SYS_PTRACE).
    /// </summary>
    public static ulong? PidNamespace(int pid) =>
        pid > 0 && OperatingSystem.IsLinux() ? NamespaceOf(pid.ToString(CultureInfo.InvariantCulture), out _)?.Inode : null;

    /// <summary>
    /// Whether <paramref name="pid"/> (as numbered in this process's PID namespace) lives in this process's PID
    /// namespace. Compares the namespace links when they may be followed; for another user's process, falls back to
    /// the <c>NSpid</c> line of the world-readable <c>/proc/PID/status</c> (one entry means the namespace of
    /// <c>/proc</c>, which is ours when our own line has one entry too). Null when neither answers, or the process is
    /// gone.
    /// </summary>
    public static bool? SameNamespace(int pid)
    {
        if (pid <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        var theirs = NamespaceOf(pid.ToString(CultureInfo.InvariantCulture), out var errno);
        if (theirs is { } identity && OwnNamespace.Value is { } own)
        {
            return identity == own;
        }

        if (errno is not (Libc.EACCES or Libc.EPERM) || OwnNamespaceDepth.Value != 1)
        {
            return null;
        }

        return ReadNamespaceDepth(pid.ToString(CultureInfo.InvariantCulture)) is { } depth ? depth == 1 : null;
    }

    /// <summary>
    /// How many PID namespaces the <c>NSpid:</c> line of a <c>/proc/PID/status</c> text lists (1 when the process lives
    /// in the namespace of the <c>/proc</c> mount); null when the line is missing (kernels before 4.1) or malformed.
    /// </summary>
    internal static int? ParseNamespaceDepth(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("NSpid:", StringComparison.Ordinal))
            {
                continue;
            }

            var values = line["NSpid:".Length..];
            var count = 0;
            foreach (var range in values.SplitAny(" \t"))
            {
                var entry = values[range];
                if (entry.IsEmpty)
                {
                    continue;
                }

                if (!int.TryParse(entry, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    return null;
                }

                count++;
            }

            return count > 0 ? count : null;
        }

        return null;
    }

    private static string ProcPath(int pid, string entry) => $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/{entry}";

    private static int? ReadNamespaceDepth(string process)
    {
        try
        {
            return ParseNamespaceDepth(File.ReadAllText($"/proc/{process}/status"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static unsafe NamespaceIdentity? NamespaceOf(string process, out int errno)
    {
        errno = 0;
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // stat follows the magic link to the namespace's nsfs inode; (device, inode) names the namespace (namespaces(7)).
        if (Libc.statx(Libc.CurrentDirectory, $"/proc/{process}/ns/pid", 0, Libc.StatxMask.Inode, out var status) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        return new NamespaceIdentity(((ulong)status.DeviceMajor << 32) | status.DeviceMinor, status.Inode);
    }

    private readonly record struct NamespaceIdentity(ulong Device, ulong Inode);
}
