using System.Runtime.InteropServices;

namespace Tether.Testing.Interop;

/// <summary>The few libc calls a crash-safe cassette save needs that .NET does not expose: a directory fsync.</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport(LibraryName, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int close(int fd);
}
