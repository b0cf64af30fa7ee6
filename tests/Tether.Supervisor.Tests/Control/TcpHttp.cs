using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Tether.Supervisor.Tests.Control;

/// <summary>Bytes on a TCP connection and the whole answer back, for the control API's TCP listener.</summary>
internal static class TcpHttp
{
    public static Task<RawAnswer> SendAsync(IPEndPoint endpoint, string request) => SendAsync(endpoint, Encoding.UTF8.GetBytes(request));

    public static async Task<RawAnswer> SendAsync(IPEndPoint endpoint, byte[] request)
    {
        using var socket = await ConnectAsync(endpoint);
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may answer and close before taking all of a request it refuses; its answer is still there to read.
        }

        return await RawHttp.ReadAnswerAsync(socket);
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        return socket;
    }

    /// <summary>A request with a loopback Host header and the extra header lines given (each ending in CRLF).</summary>
    public static string Request(string method, string target, IPEndPoint endpoint, string headers = "", string body = "") =>
        $"{method} {target} HTTP/1.1\r\nHost: {endpoint}\r\n{headers}Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";
}
