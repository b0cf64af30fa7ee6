using System.Runtime.InteropServices;

namespace Tether.Watch.Interop;

/// <summary><c>access(2)</c>: whether the watcher's user may execute a recovery program, as <c>execve</c> will decide.</summary>
internal static partial class Libc
{
    public const int X_OK = 1;

    /// <summary><c>access(2)</c> with the real uid and gid (the watcher does not change its ids, so they are its effective ones).</summary>
    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Access(string path, int mode);
}
