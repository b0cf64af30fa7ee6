namespace Tether.Watch;

/// <summary>
/// A listener could not start receiving at its address: something else is at the socket path, another process is
/// listening there, the port is taken, or permission is missing. The message says what and what to do.
/// </summary>
public sealed class ListenerBindException : IOException
{
    internal ListenerBindException(string endpoint, string reason, Exception? inner = null)
        : base($"Cannot listen at {endpoint}: {reason}.", inner)
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>The address as given: <c>unix:PATH</c> or <c>udp:ADDRESS:PORT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Why, and what to do about it.</summary>
    public string Reason { get; }
}
