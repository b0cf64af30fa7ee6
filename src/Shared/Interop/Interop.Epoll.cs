using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary><c>epoll(7)</c>: <c>epoll_create1</c>, <c>epoll_ctl</c> and <c>epoll_wait</c>.</summary>
internal static unsafe partial class Libc
{
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 1;

    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, EpollEvent* ev);

    [LibraryImport(LibraryName, SetLastError = true)]
    public static partial int epoll_wait(int epfd, EpollEvent* events, int maxEvents, int timeout);
}
