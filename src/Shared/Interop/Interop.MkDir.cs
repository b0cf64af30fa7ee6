using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>mkdir(2)</c>: unlike <c>Directory.CreateDirectory</c>, it fails with EEXIST on a directory that is there.</summary>
internal static unsafe partial class Libc
{
    [LibraryImport(LibraryName, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdir(string path, int mode);
}
