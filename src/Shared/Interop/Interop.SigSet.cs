using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>The <c>sigsetops(3)</c> that build a spawned child's signal mask and defaults.</summary>
internal static unsafe partial class Libc
{
    /// <summary>Size of sigset_t (128 bytes).</summary>
    public const int SigsetSize = 128;

    [LibraryImport(LibraryName)]
    public static partial int sigemptyset(void* sigset);

    [LibraryImport(LibraryName)]
    public static partial int sigfillset(void* sigset);
}
