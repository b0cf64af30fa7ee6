using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>wait4(2)</c>: reaps a child and reports its resource usage.</summary>
internal static unsafe partial class Libc
{
    public const int WNOHANG = 1;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public Timeval UserTime;
        public Timeval SystemTime;
        public long MaxRssKilobytes;
        public fixed long Rest[13];
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int wait4(int pid, out int status, int options, out Rusage usage);
}
