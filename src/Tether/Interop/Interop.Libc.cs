using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>P/Invoke declarations for glibc on Linux x64/arm64 (LP64).</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc";

    public const int EINTR = 4;
    public const int ESRCH = 3;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int ENOSYS = 38;
    public const int ECHILD = 10;
    public const int EPERM = 1;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CLOEXEC = 0x80000;
    public const int O_NONBLOCK = 0x800;

    public const int F_DUPFD_CLOEXEC = 1030;
    public const int F_SETPIPE_SZ = 1031;

    public const short POSIX_SPAWN_SETPGROUP = 2;
    public const short POSIX_SPAWN_SETSIGDEF = 4;
    public const short POSIX_SPAWN_SETSIGMASK = 8;

    public const int WNOHANG = 1;

    public const int X_OK = 1;

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 1;

    public const int SYS_pidfd_open = 434;

    /// <summary>Size of glibc's posix_spawn_file_actions_t (80 on x86_64), rounded up for safety.</summary>
    public const int FileActionsSize = 128;

    /// <summary>Size of glibc's posix_spawnattr_t (336 on x86_64), rounded up for safety.</summary>
    public const int SpawnAttrSize = 512;

    /// <summary>Size of sigset_t (128 bytes).</summary>
    public const int SigsetSize = 128;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timeval
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Rusage
    {
        public Timeval UserTime;
        public Timeval SystemTime;
        public long MaxRssKilobytes;
        public fixed long Rest[13];
    }

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

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

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, int mode);

    [LibraryImport(LibraryName)]
    public static partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int mkfifo(byte* path, int mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial long read(int fd, byte* buffer, nint count);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial long write(int fd, byte* buffer, nint count);

    public const int ENXIO = 6;

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

    [LibraryImport(LibraryName)]
    public static partial int sigemptyset(void* sigset);

    [LibraryImport(LibraryName)]
    public static partial int sigfillset(void* sigset);

    [LibraryImport(LibraryName)]
    public static partial int sigdelset(void* sigset, int signal);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int close(int fd);

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int fcntl(int fd, int command, int argument);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int open(byte* path, int flags, int mode);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int wait4(int pid, out int status, int options, out Rusage usage);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial long syscall(long number, long arg1, long arg2);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_wait(int epfd, EpollEvent* events, int maxEvents, int timeout);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int access(byte* path, int mode);

    [LibraryImport(LibraryName)]
    public static partial int getpid();

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int getpgid(int pid);

    [LibraryImport(LibraryName)]
    public static partial byte* strerror(int errnum);

    public static string ErrorText(int errno) => Marshal.PtrToStringUTF8((nint)strerror(errno)) ?? $"errno {errno}";
}
