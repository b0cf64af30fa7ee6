using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>geteuid(2)</c>: the effective user id. Never fails.</summary>
internal static partial class Libc
{
    [LibraryImport(LibraryName)]
    public static partial uint geteuid();
}
