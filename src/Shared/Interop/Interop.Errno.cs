using System.Runtime.InteropServices;

namespace Tether.Interop;

/// <summary>The error numbers Tether tells apart (Linux values; <c>errno</c> after a failed call, from <see cref="Marshal.GetLastPInvokeError"/>).</summary>
internal static partial class Libc
{
    public const int EPERM = 1;
    public const int EBADF = 9;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int EFBIG = 27;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int EPIPE = 32;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ELOOP = 40;
    public const int EADDRINUSE = 98;
    public const int ECONNREFUSED = 111;
    public const int EDQUOT = 122;

    /// <summary>The symbolic name of <paramref name="errno"/> for the numbers above, or "errno N".</summary>
    public static string ErrorName(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        ESRCH => "ESRCH",
        EINTR => "EINTR",
        EIO => "EIO",
        ENXIO => "ENXIO",
        ECHILD => "ECHILD",
        EAGAIN => "EAGAIN",
        EACCES => "EACCES",
        EEXIST => "EEXIST",
        ENOTDIR => "ENOTDIR",
        EISDIR => "EISDIR",
        EINVAL => "EINVAL",
        EFBIG => "EFBIG",
        ENOSPC => "ENOSPC",
        EROFS => "EROFS",
        EPIPE => "EPIPE",
        ENAMETOOLONG => "ENAMETOOLONG",
    ENOSYS => "ENOSYS",
        ELOOP => "ELOOP",
        EADDRINUSE => "EADDRINUSE",
        ECONNREFUSED => "ECONNREFUSED",
        EDQUOT => "EDQUOT",
        _ => $"errno {errno}",
    };
}
