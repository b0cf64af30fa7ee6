using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Watch;

public sealed partial class UdpListener
{
    // At most this many datagrams are read between two polls, so a flood cannot keep disposal waiting.
    private const int MaxDatagramsPerWake = 256;

    // MSG_TRUNC: recvmsg answers a UDP datagram's true length even when only the first bytes fit the buffer.
    private const int ReceiveFlags = Libc.MSG_TRUNC | Libc.MSG_DONTWAIT;

    private const ushort AddressFamilyV4 = 2; // AF_INET
    private const ushort AddressFamilyV6 = 10; // AF_INET6

    // sizeof(struct sockaddr_in6), the larger of the two.
    private const int MaxAddressBytes = 28;

    // The last sender's address and its facts: a sender beats from one address, so its facts are made once and the
    // same instance is handed on, which the engine's trace recorder compares by reference instead of by content.
    private readonly byte[] _lastPeer = new byte[MaxAddressBytes];
    private int _lastPeerLength = -1;
    private OriginFacts? _lastFacts;

    private unsafe void ReceiveLoop()
    {
        var socketAdded = false;
        var stopAdded = false;
        try
        {
            _socket.SafeHandle.DangerousAddRef(ref socketAdded);
            _stop.Handle.DangerousAddRef(ref stopAdded);
            var socket = (int)_socket.SafeHandle.DangerousGetHandle();
            var stop = (int)_stop.Handle.DangerousGetHandle();
            var origin = Trusted ? Origin.OperatorAttested : Origin.NetworkUnverified;

            var data = stackalloc byte[ReceivedDatagram.MaxKeptBytes];
            var address = stackalloc byte[MaxAddressBytes];
            while (true)
            {
                if (!StopEvent.WaitReadable(socket, stop))
                {
                    return;
                }

                var received = 0;
                while (received < MaxDatagramsPerWake && ReceiveOne(socket, data, address, origin))
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
            if (stopAdded)
            {
                _stop.Handle.DangerousRelease();
            }

            if (socketAdded)
            {
                _socket.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Receives one datagram if one is waiting and queues it; false when none was waiting. An ICMP error reported for
    /// something this socket never sent to is not the listener's failure: it is passed over.
    /// </summary>
    private unsafe bool ReceiveOne(int socket, byte* data, byte* address, Origin origin)
    {
        var vector = new Libc.IoVector { Base = data, Length = ReceivedDatagram.MaxKeptBytes };
        var message = new Libc.MessageHeader
        {
            Name = address,
            NameLength = MaxAddressBytes,
            Vectors = &vector,
            VectorCount = 1,
        };

        var received = Libc.recvmsg(socket, &message, ReceiveFlags);
        if (received < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                Libc.EAGAIN => false,
                Libc.EINTR or Libc.ECONNREFUSED => true,
                _ => throw new IOException($"recvmsg failed ({Marshal.GetPInvokeErrorMessage(errno)})."),
            };
        }

        var timestamp = _clock.GetTimestamp();
        var length = (int)Math.Min(received, int.MaxValue);
        var bytes = new ReadOnlySpan<byte>(data, Math.Min(length, ReceivedDatagram.MaxKeptBytes)).ToArray();
        var facts = FactsFor(new ReadOnlySpan<byte>(address, (int)Math.Min(message.NameLength, MaxAddressBytes)), origin);
        _queue.Offer(new ReceivedDatagram(bytes, length, facts, timestamp));
        return true;
    }

    /// <summary>
    /// The facts of a datagram from <paramref name="address"/>: the sender as <c>ADDRESS:PORT</c> (an IPv4 address mapped
    /// into IPv6 shown as IPv4). The same instance as the last datagram's when it came from the same address.
    /// </summary>
    private OriginFacts FactsFor(ReadOnlySpan<byte> address, Origin origin)
    {
        if (_lastFacts is { } last && address.SequenceEqual(_lastPeer.AsSpan(0, _lastPeerLength)))
        {
            return last;
        }

        var facts = new OriginFacts(origin, Peer: ParsePeer(address)?.ToString() ?? "unknown");
        address.CopyTo(_lastPeer);
        _lastPeerLength = address.Length;
        _lastFacts = facts;
        return facts;
    }

    /// <summary>A <c>struct sockaddr_in</c> or <c>sockaddr_in6</c> as an end point; null for anything else.</summary>
    internal static IPEndPoint? ParsePeer(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        var family = MemoryMarshal.Read<ushort>(address); // host byte order
        if (family == AddressFamilyV4 && address.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }

        if (family == AddressFamilyV6 && address.Length >= MaxAddressBytes)
        {
            var ip = new IPAddress(address.Slice(8, 16), MemoryMarshal.Read<uint>(address[24..]));
            var port = BinaryPrimitives.ReadUInt16BigEndian(address[2..]);
            return ip.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.MapToIPv4(), port) : new IPEndPoint(ip, port);
        }

        return null;
    }
}
