using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>prlimit(2)</c>: sets a resource limit of another process (here: a child held before its exec).</summary>
internal static unsafe partial class Libc
{
    /// <summary><c>RLIM_INFINITY</c> on Linux: no limit.</summary>
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int prlimit(int pid, int resource, RLimit* newLimit, RLimit* oldLimit);

    /// <summary><c>struct rlimit</c> (two <c>rlim_t</c>, 64-bit on every architecture Tether runs on).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
