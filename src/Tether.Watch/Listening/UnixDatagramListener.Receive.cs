using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Watch;

public sealed partial class UnixDatagramListener
{
    // At most this many datagrams are read between two polls, so a flood cannot keep disposal waiting.
    private const int MaxDatagramsPerWake = 256;

    private const int ReceiveFlags = Libc.MSG_TRUNC | Libc.MSG_DONTWAIT | Libc.MSG_CMSG_CLOEXEC;

    private unsafe void ReceiveLoop()
    {
        var socketAdded = false;
        var wakeupAdded = false;
        try
        {
            _socket.DangerousAddRef(ref socketAdded);
            _wakeup.Handle.DangerousAddRef(ref wakeupAdded);
            var socket = (int)_socket.DangerousGetHandle();
            var wakeup = (int)_wakeup.Handle.DangerousGetHandle();

            var data = stackalloc byte[ReceivedDatagram.MaxKeptBytes];

            // Room for exactly one credentials message: with no room left the kernel installs none of the file
            // descriptors a sender may attach (SCM_RIGHTS), so nobody can plant descriptors in the watcher.
            var control = stackalloc byte[Libc.CredentialsSpace];
            while (true)
            {
                if (!StopEvent.WaitReadable(socket, wakeup))
                {
                    return;
                }

                var received = 0;
                while (received < MaxDatagramsPerWake && ReceiveOne(socket, data, control))
                {
                    received++;
                }

                if (received > 0)
                {
                    _queue.Announce();
                }
            }
        }
        catch (Exception e)
        {
            _queue.Complete(new IOException($"The listener at {Endpoint} stopped receiving: {e.Message}", e));
        }
        finally
        {
            if (wakeupAdded)
            {
                _wakeup.Handle.DangerousRelease();
            }

            if (socketAdded)
            {
                _socket.DangerousRelease();
            }
        }
    }

    /// <summary>Receives one datagram if one is waiting and queues it with its facts; false when none was waiting.</summary>
    private unsafe bool ReceiveOne(int socket, byte* data, byte* control)
    {
        var vector = new Libc.IoVector { Base = data, Length = ReceivedDatagram.MaxKeptBytes };
        var message = new Libc.MessageHeader
        {
            Vectors = &vector,
            VectorCount = 1,
            Control = control,
            ControlLength = Libc.CredentialsSpace,
        };

        // MSG_TRUNC: the result is the datagram's true length even when only the first bytes fit.
        var received = Libc.recvmsg(socket, &message, ReceiveFlags);
        if (received < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                Libc.EAGAIN => false,
                Libc.EINTR => true,
                _ => throw new IOException($"recvmsg failed ({Marshal.GetPInvokeErrorMessage(errno)})."),
            };
        }

        var timestamp = _clock.GetTimestamp();
        var length = (int)Math.Min(received, int.MaxValue);
        var bytes = new ReadOnlySpan<byte>(data, Math.Min(length, ReceivedDatagram.MaxKeptBytes)).ToArray();
        var credentials = ReadCredentials(control, (int)message.ControlLength);

        _queue.Offer(new ReceivedDatagram(bytes, length, FactsFor(bytes, credentials), timestamp));
        return true;
    }

    /// <summary>The facts for a datagram: gathered now, while the processes it names are as they were when it arrived.</summary>
    private OriginFacts FactsFor(ReadOnlySpan<byte> bytes, Libc.Credentials? credentials)
    {
        // The frame's pid (bytes 4–7) is whatever the datagram claims; its start time lets the engine tell a reused pid.
        ulong? startTime = null;
        if (bytes.Length >= 8 && BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]) is var claimed && claimed is > 1 and <= int.MaxValue)
        {
            startTime = _facts.StartTime((int)claimed);
        }

        if (credentials is not { } sender)
        {
            return new OriginFacts(Origin.SocketModeOnly, StartTime: startTime);
        }

        // The kernel reports pid 0 for a sender it cannot name in our PID namespace: one outside it and its descendants.
        var sameNamespace = sender.ProcessId == 0 ? false : _facts.SameNamespace(sender.ProcessId);
        return new OriginFacts(Origin.KernelAttested, sender.ProcessId, unchecked((int)sender.UserId), sameNamespace, startTime);
    }

    /// <summary>The SCM_CREDENTIALS message among the received control messages, if any; closes any descriptors sent.</summary>
    private static unsafe Libc.Credentials? ReadCredentials(byte* control, int length)
    {
        Libc.Credentials? credentials = null;
        var offset = 0;
        while (offset + Libc.CmsgHeaderSize <= length)
        {
            var header = (Libc.ControlMessageHeader*)(control + offset);
            var messageLength = (int)Math.Min(header->Length, int.MaxValue);
            if (messageLength < Libc.CmsgHeaderSize || offset + messageLength > length)
            {
                break;
            }

            var payload = control + offset + Libc.CmsgHeaderSize;
            var payloadLength = messageLength - Libc.CmsgHeaderSize;
            if (header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_CREDENTIALS && payloadLength >= sizeof(Libc.Credentials))
            {
                credentials = *(Libc.Credentials*)payload;
            }
            else if (header->Level == Libc.SOL_SOCKET && header->Type == Libc.SCM_RIGHTS)
            {
                // Never kept: the control buffer leaves no room for them, but should one arrive, it is closed.
                for (var i = 0; i + sizeof(int) <= payloadLength; i += sizeof(int))
                {
                    Libc.close(*(int*)(payload + i));
                }
            }

            // CMSG_NXTHDR: the next header starts at the length rounded up to 8 bytes.
            offset += (messageLength + 7) & ~7;
        }

        return credentials;
    }
}
