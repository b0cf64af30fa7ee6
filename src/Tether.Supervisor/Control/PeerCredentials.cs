using System.Net.Sockets;
using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Supervisor;

/// <summary>
/// Who is on the other end of a Unix socket, as the kernel recorded it when the peer connected (<c>SO_PEERCRED</c>):
/// it cannot be forged by the peer, unlike anything it sends.
/// </summary>
/// <param name="Pid">The peer's process id at connect.</param>
/// <param name="Uid">The peer's effective user id at connect.</param>
/// <param name="Gid">The peer's effective group id at connect.</param>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    /// <summary>The credentials of <paramref name="socket"/>'s peer.</summary>
    /// <exception cref="IOException">The kernel would not say (not a connected Unix socket).</exception>
    public static unsafe PeerCredentials Of(Socket socket)
    {
        var credentials = default(Libc.PeerCredentials);
        var length = (uint)sizeof(Libc.PeerCredentials);
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Libc.getsockopt((int)handle.DangerousGetHandle(), Libc.SOL_SOCKET, Libc.SO_PEERCRED, &credentials, &length) != 0)
            {
                throw new IOException($"Cannot read the peer's credentials of a control connection (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }

        return new PeerCredentials(credentials.Pid, credentials.Uid, credentials.Gid);
    }
}
