using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// The file a Unix datagram listener binds: refusing whatever is at the path unless it is a stale socket, giving the
/// new socket its mode without a window, and removing it at the end only while it is still the one we created.
/// </summary>
internal static unsafe class UnixSocketFile
{
    /// <summary>
    /// Makes the path free for binding: nothing there is fine; a socket nobody receives on (connect says ECONNREFUSED)
    /// is removed; anything else — a live socket, a regular file, a directory, a symbolic link, a FIFO — is refused and
    /// left untouched.
    /// </summary>
    /// <remarks>
    /// Between the probe and the unlink another watcher starting at the same moment could bind the path; the loser's
    /// socket would then be unlinked by the winner. Two watchers on one path is an operator error this does not guard
    /// against beyond the probe.
    /// </remarks>
    public static void ClearStale(string path, string endpoint)
    {
        var status = TryStat(path, endpoint);
        if (status is null)
        {
            return;
        }

        switch (status.Value.Mode & Libc.S_IFMT)
        {
            case Libc.S_IFSOCK:
                break;
            case Libc.S_IFLNK:
                throw new ListenerBindException(endpoint, "a symbolic link is there, and the listener never binds through one; remove it or choose another path");
            case Libc.S_IFREG:
                throw new ListenerBindException(endpoint, "a regular file is there; remove it or choose another path");
            case Libc.S_IFDIR:
                throw new ListenerBindException(endpoint, "a directory is there; give the path of the socket file to create, not its directory");
            default:
                throw new ListenerBindException(endpoint, "something that is not a socket (a FIFO or a device) is there; remove it or choose another path");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                Unlink(path, endpoint, "removing the stale socket");
                return;
            }
            catch (SocketException e)
            {
                throw new ListenerBindException(endpoint, $"a socket is there that could not be probed ({e.Message}); remove it if it is stale, or choose another path", e);
            }
        }

        throw new ListenerBindException(endpoint, "another process is receiving on the socket there (is another watcher running?); stop it or choose another path");
    }

    /// <summary>
    /// Binds <paramref name="socket"/> to <paramref name="path"/>, creating the socket file with exactly
    /// <paramref name="mode"/>, and returns the file's identity for <see cref="RemoveIfOurs"/>.
    /// </summary>
    /// <remarks>
    /// The mode is set on the socket before <c>bind</c>: Linux creates the file with the mode of the socket's own inode
    /// minus the umask, so the file is never, even for an instant, more open than asked. Bits the umask took away are
    /// then restored by <see cref="Claim"/>. The bind is a raw system call on purpose: a .NET <see cref="Socket"/> that
    /// binds a path unlinks whatever is at that path when it is disposed — even a file that replaced ours.
    /// </remarks>
    public static SocketFileIdentity Bind(SafeSocketHandle socket, string path, UnixFileMode mode, string endpoint)
    {
        var added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            var fd = (int)socket.DangerousGetHandle();
            if (Libc.fchmod(fd, (uint)mode) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ListenerBindException(endpoint, $"setting the socket's mode failed ({Marshal.GetPInvokeErrorMessage(errno)})");
            }

            var address = new Libc.UnixSocketAddress { Family = Libc.AF_UNIX };
            var length = Encoding.UTF8.GetBytes(path, new Span<byte>(address.Path, Libc.UnixSocketAddress.PathCapacity - 1));
            if (Libc.bind(fd, &address, (uint)(sizeof(ushort) + length + 1)) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new ListenerBindException(endpoint, errno switch
                {
                    Libc.EADDRINUSE => "something was created at the path while the listener was starting; try again or choose another path",
                    Libc.EACCES or Libc.EPERM => "permission denied; the directory must be writable by this user",
                    // ENOENT in a directory that exists: one that holds no files of ours, such as /proc.
                    Libc.ENOENT when Directory.Exists(Path.GetDirectoryName(path)) => "the directory accepts no new files (a special file system such as /proc or /sys); choose a path under /run or /tmp",
                    Libc.ENOENT or Libc.ENOTDIR => "the directory does not exist; create it first",
                    Libc.EROFS => "the file system is read-only; choose a path on a writable one",
                    _ => $"bind failed ({Marshal.GetPInvokeErrorMessage(errno)})",
                });
            }
        }
        finally
        {
            if (added)
            {
                socket.DangerousRelease();
            }
        }

        return Claim(path, mode, endpoint);
    }

    /// <summary>
    /// Checks that the freshly bound path is a socket, restores the permission bits the umask took away (through an
    /// O_PATH descriptor, so never through a symbolic link), and returns its identity for <see cref="RemoveIfOurs"/>.
    /// </summary>
    /// <remarks>
    /// Nothing proves the socket at the path is the one just bound: someone able to write to the directory could swap
    /// it in the instant between bind and open. Such a someone can replace the socket at any later time as well.
    /// </remarks>
    private static SocketFileIdentity Claim(string path, UnixFileMode mode, string endpoint)
    {
        using var handle = Libc.Open(path, OpenFlags.PathOnly | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0);
        if (handle.IsInvalid)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ListenerBindException(endpoint, $"the socket file vanished right after it was created ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        var status = StatDescriptor(handle, endpoint);
        if ((status.Mode & Libc.S_IFMT) != Libc.S_IFSOCK)
        {
            throw new ListenerBindException(endpoint, "the socket file was replaced by something else right after it was created");
        }

        var identity = new SocketFileIdentity(status.Device, status.Inode);
        var wanted = (int)mode;
        if ((status.Mode & 0x1FF) != wanted)
        {
            try
            {
                FixMode(handle, wanted, endpoint);
            }
            catch
            {
                RemoveIfOurs(path, identity);
                throw;
            }
        }

        return identity;
    }

    private static void FixMode(SafeFileHandle handle, int wanted, string endpoint)
    {
        // chmod through the descriptor's /proc link reaches exactly the inode we opened (what glibc's
        // fchmodat(AT_SYMLINK_NOFOLLOW) does); plain chmod on the path would follow a symbolic link. The caller keeps
        // the handle open across the call, so the number names our descriptor.
        var link = $"/proc/self/fd/{handle.DangerousGetHandle().ToString(CultureInfo.InvariantCulture)}";
        var result = Libc.chmod(link, (uint)wanted);

        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ListenerBindException(endpoint, $"setting the socket file's mode to {Octal(wanted)} failed ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        var status = StatDescriptor(handle, endpoint);
        if ((status.Mode & 0x1FF) != wanted)
        {
            throw new ListenerBindException(endpoint, $"the socket file's mode is {Octal(status.Mode & 0x1FF)} after setting it to {Octal(wanted)}");
        }
    }

    /// <summary>
    /// Unlinks the path if it is still the socket file we created (same device and inode); leaves anything else — a
    /// file or socket that replaced ours — alone. Returns whether it removed the file. Never throws.
    /// </summary>
    /// <remarks>There is no unlink-if-inode system call: something replacing the file between the check and the unlink
    /// would be removed. Only someone able to write to the directory can do that.</remarks>
    public static bool RemoveIfOurs(string path, SocketFileIdentity identity)
    {
        FileStatus? status;
        try
        {
            status = TryStat(path, "unix:" + path);
        }
        catch (ListenerBindException)
        {
            return false;
        }

        if (status is not { } s || (s.Mode & Libc.S_IFMT) != Libc.S_IFSOCK || s.Device != identity.Device || s.Inode != identity.Inode)
        {
            return false;
        }

        return Libc.unlink(path) == 0;
    }

    /// <summary>The status of the path itself (a symbolic link is not followed), or null when nothing is there.</summary>
    private static FileStatus? TryStat(string path, string endpoint)
    {
        if (Libc.statx(Libc.CurrentDirectory, path, Libc.AT_SYMLINK_NOFOLLOW, Identity, out var status) == 0)
        {
            return FileStatus.From(status);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.ENOENT
            ? null
            : throw new ListenerBindException(endpoint, $"the path cannot be inspected ({Marshal.GetPInvokeErrorMessage(errno)})");
    }

    private static FileStatus StatDescriptor(SafeFileHandle handle, string endpoint)
    {
        if (Libc.statx(handle, "", Libc.AT_EMPTY_PATH | Libc.AT_SYMLINK_NOFOLLOW, Identity, out var status) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ListenerBindException(endpoint, $"the socket file cannot be inspected ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        return FileStatus.From(status);
    }

    private static void Unlink(string path, string endpoint, string operation)
    {
        if (Libc.unlink(path) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno != Libc.ENOENT)
        {
            throw new ListenerBindException(endpoint, $"{operation} failed ({Marshal.GetPInvokeErrorMessage(errno)})");
        }
    }

    private const Libc.StatxMask Identity = Libc.StatxMask.Type | Libc.StatxMask.Mode | Libc.StatxMask.Inode;

    private static string Octal(int mode) => "0" + Convert.ToString(mode, 8);

    private readonly record struct FileStatus(int Mode, ulong Device, ulong Inode)
    {
        public static FileStatus From(in Libc.Statx status) =>
            new(status.Mode, ((ulong)status.DeviceMajor << 32) | status.DeviceMinor, status.Inode);
    }
}
