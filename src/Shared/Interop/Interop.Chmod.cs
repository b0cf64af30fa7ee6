using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>chmod(2)</c>.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);
}
