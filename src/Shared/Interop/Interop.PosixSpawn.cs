using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>posix_spawn(3)</c> with its file actions and attributes: how the core starts a child.</summary>
internal static unsafe partial class Libc
{
    public const short POSIX_SPAWN_SETPGROUP = 2;
    public const short POSIX_SPAWN_SETSIGDEF = 4;
    public const short POSIX_SPAWN_SETSIGMASK = 8;

    /// <summary>Size of glibc's posix_spawn_file_actions_t (80 on x86_64), rounded up for safety.</summary>
    public const int FileActionsSize = 128;

    /// <summary>Size of glibc's posix_spawnattr_t (336 on x86_64), rounded up for safety.</summary>
    public const int SpawnAttrSize = 512;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int posix_spawn(out int pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_addchdir_np(void* fileActions, byte* path);

    /// <summary><c>posix_spawn_file_actions_addopen</c>, with the flags in this architecture's numbering.</summary>
    public static int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, OpenFlags flags, int mode) =>
        posix_spawn_file_actions_addopen_native(fileActions, fd, path, NativeOpenFlags(flags), mode);

    [LibraryImport(LibraryName, EntryPoint = "posix_spawn_file_actions_addopen")]
    private static partial int posix_spawn_file_actions_addopen_native(void* fileActions, int fd, byte* path, int flags, int mode);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_init(void* attributes);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_setpgroup(void* attributes, int pgroup);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_setsigmask(void* attributes, void* sigset);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawnattr_setsigdefault(void* attributes, void* sigset);
}
