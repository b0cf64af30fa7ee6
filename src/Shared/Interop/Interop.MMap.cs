using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>mmap(2)</c>: an anonymous private mapping (the page the clone-into-cgroup spawn code runs from).</summary>
internal static unsafe partial class Libc
{
    public const int PROT_READ = 0x1;
    public const int PROT_WRITE = 0x2;
    public const int PROT_EXEC = 0x4;
    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;

    /// <summary>What <c>mmap</c> returns on failure.</summary>
    public static readonly void* MAP_FAILED = (void*)-1;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial void* mmap(void* address, nuint length, int protection, int flags, int fd, long offset);
}
