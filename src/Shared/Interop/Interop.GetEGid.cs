using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>getegid(2)</c>: the effective group id. Never fails.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName)]
    public static partial uint getegid();
}
