using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>
/// <c>posix_spawnattr_setcgroup_np(3)</c> (glibc 2.39+): with <see cref="POSIX_SPAWN_SETCGROUP"/>, <c>posix_spawn</c>
/// creates the child straight inside the cgroup (<c>clone3</c> with <c>CLONE_INTO_CGROUP</c>). Looked up at run time,
/// because older glibc does not have it and a static import would fail the whole type there.
/// </summary>
internal static unsafe partial class Libc
{
    public const short POSIX_SPAWN_SETCGROUP = 0x100;

    private static readonly delegate* unmanaged<void*, int, int> SetCgroup = LookUpSetCgroup();

    /// <summary>Whether this glibc has <c>posix_spawnattr_setcgroup_np</c>.</summary>
    public static bool HasSpawnIntoCgroup => SetCgroup is not null;

    /// <summary>Sets the cgroup (a descriptor of its directory) the child is created in; only where <see cref="HasSpawnIntoCgroup"/>.</summary>
    public static int posix_spawnattr_setcgroup_np(void* attributes, int cgroupFd) => SetCgroup(attributes, cgroupFd);

    private static delegate* unmanaged<void*, int, int> LookUpSetCgroup()
    {
        // glibc's soname; "libc" (what the imports name) is resolved by the runtime's own probing, not by dlopen.
        return NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "posix_spawnattr_setcgroup_np", out var address)
            ? (delegate* unmanaged<void*, int, int>)address
            : null;
    }
}
