using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>nanosleep(2)</c>: a pause shorter than the millisecond that <see cref="Thread.Sleep(int)"/> can express.</summary>
internal static unsafe partial class Libc
{
    /// <summary><c>struct timespec</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TimeSpec
    {
        public nint Seconds;
        public nint Nanoseconds;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int nanosleep(TimeSpec* duration, TimeSpec* remaining);
}
