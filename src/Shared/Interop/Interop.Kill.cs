using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>kill(2)</c>: a signal to a process, or to a process group with a negative id.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int kill(int pid, int signal);
}
