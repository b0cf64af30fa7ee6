using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Tether.Supervisor.Tests.Control;

/// <summary>Bytes on a Unix socket and the whole answer back: requests no well-behaved client would send.</summary>
internal static class RawHttp
{
    public static async Task<RawAnswer> SendAsync(string socketPath, string request) => await SendAsync(socketPath, Encoding.UTF8.GetBytes(request));

    public static async Task<RawAnswer> SendAsync(string socketPath, byte[] request)
    {
        using var socket = await ConnectAsync(socketPath);
        try
        {
            await socket.SendAsync(request);
        }
        catch (SocketException)
        {
            // The server may answer and close before taking all of a request it refuses; its answer is still there to read.
        }

        return await ReadAnswerAsync(socket);
    }

    public static async Task<Socket> ConnectAsync(string socketPath)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
        return socket;
    }

    public static async Task<RawAnswer> ReadAnswerAsync(Socket socket)
    {
        // Raw receives, not a NetworkStream: after a failed send the socket no longer counts as connected, yet the
        // answer the server wrote before closing is still there to read.
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(chunk, SocketFlags.None).WaitAsync(Bounds.Eventually)) > 0)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset after the answer: what arrived is what counts.
        }

        return RawAnswer.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}

/// <summary>An HTTP answer: the status, the headers and the body.</summary>
internal sealed record RawAnswer(int Status, string Head, string Body)
{
    public static RawAnswer Parse(string text)
    {
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"not an HTTP answer: '{text}'");
        var head = text[..end];
        var status = int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture);
        return new RawAnswer(status, head, text[(end + 4)..]);
    }

    /// <summary>The body's error object: its code and message.</summary>
    public (string Code, string Message) Error()
    {
        using var document = JsonDocument.Parse(Body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(["code", "message"], error.EnumerateObject().Select(p => p.Name));
        return (error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
    }

    public override string ToString() => Head + "\n\n" + Body;
}
