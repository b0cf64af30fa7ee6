using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>setpriority(2)</c>: sets a process's niceness (on Linux, of the one thread whose id is given).</summary>
internal static partial class Libc
{
    public const int PRIO_PROCESS = 0;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int setpriority(int which, uint who, int priority);
}
