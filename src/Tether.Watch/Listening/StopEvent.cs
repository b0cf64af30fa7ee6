using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// An eventfd a listener's receive thread polls beside its socket: signalled once, on disposal, so the thread leaves
/// its <c>poll</c> without a timeout to wake it now and then (an idle listener costs no CPU at all).
/// </summary>
internal sealed class StopEvent : IDisposable
{
    private StopEvent(SafeFileHandle handle) => Handle = handle;

    /// <summary>The eventfd; the receive thread holds a reference (DangerousAddRef) while it polls it.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>A close-on-exec, non-blocking eventfd for the listener at <paramref name="endpoint"/>.</summary>
    /// <exception cref="ListenerBindException">The system refused one.</exception>
    public static StopEvent Create(string endpoint)
    {
        var fd = Libc.eventfd(0, Libc.EFD_CLOEXEC | Libc.EFD_NONBLOCK);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new ListenerBindException(endpoint, $"creating the listener's wake-up event failed ({Marshal.GetPInvokeErrorMessage(errno)})");
        }

        return new StopEvent(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>Makes the eventfd readable: the receive thread's next (or current) poll returns.</summary>
    public unsafe void Signal()
    {
        ulong one = 1;
        var added = false;
        Handle.DangerousAddRef(ref added);
        try
        {
            // An eventfd counter cannot overflow from one write; EAGAIN would mean it is already signalled.
            Libc.write((int)Handle.DangerousGetHandle(), (byte*)&one, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                Handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sleeps in <c>poll</c> until <paramref name="socket"/> is readable or this event is signalled, whichever comes
    /// first; a signal wins. The caller holds references on both descriptors (<paramref name="stop"/> is this event's).
    /// </summary>
    /// <returns><see langword="true"/> when the socket has data; <see langword="false"/> when the listener stops.</returns>
    /// <exception cref="IOException"><c>poll</c> failed for a reason other than an interruption.</exception>
    public static unsafe bool WaitReadable(int socket, int stop)
    {
        var descriptors = stackalloc Libc.PollDescriptor[2];
        while (true)
        {
            descriptors[0] = new Libc.PollDescriptor { Fd = socket, Events = Libc.POLLIN };
            descriptors[1] = new Libc.PollDescriptor { Fd = stop, Events = Libc.POLLIN };
            if (Libc.poll(descriptors, 2, -1) >= 0)
            {
                return descriptors[1].ReturnedEvents == 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                throw new IOException($"poll failed ({Marshal.GetPInvokeErrorMessage(errno)}).");
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => Handle.Dispose();
}
