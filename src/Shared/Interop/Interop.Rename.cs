using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>rename(2)</c>: atomically replaces the target name.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int rename(string oldPath, string newPath);
}
