using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>unlink(2)</c>: removes a name (a symbolic link itself, never its target).</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string path);
}
