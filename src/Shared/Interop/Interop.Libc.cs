using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>glibc on Linux x64/arm64 (LP64). One file per call, each linked only into the projects that make it; the constants a call takes live beside it.</summary>
internal static partial class Libc
{
    /// <summary>The library every declaration binds to.</summary>
    private const string LibraryName = "libc";
}
