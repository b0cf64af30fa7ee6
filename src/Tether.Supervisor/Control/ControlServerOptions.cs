namespace Tether.Supervisor;

/// <summary>
/// The bounds of a <see cref="ControlServer"/>: how many clients at once, how large a request may be and how long a
/// client may take to send it. Every refusal is counted (<see cref="ControlServer.RefusedConnections"/>,
/// <see cref="ControlServer.RejectedRequests"/>).
/// </summary>
public sealed record ControlServerOptions
{
    /// <summary>Connections served at once (default 32); one more is answered 503 and closed. Followed log streams count.</summary>
    public int MaxConnections { get; init; } = 32;

    /// <summary>The request line and headers together (default 16 KiB); more is answered 431.</summary>
    public int MaxHeaderBytes { get; init; } = 16 * 1024;

    /// <summary>A request body (default 64 KiB; the API's bodies are a few bytes); more is answered 413.</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>How long a client may take to send its whole request, and to take a response that is not a stream (default 10 s); then 408.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock the request timeout and the event stream's checks run on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The supervisor's journal (<c>.tether/journal</c>), which <c>GET /api/journal</c> reads; null when there is none.</summary>
    public string? JournalDirectory { get; init; }

    /// <summary>How often <c>GET /api/events</c> looks for a change to send (default 250 ms, so a page shows it within a second).</summary>
    public TimeSpan EventPeriod { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long <c>GET /api/events</c> stays silent before it sends a keep-alive comment (default 15 s).</summary>
    public TimeSpan EventKeepAlive { get; init; } = TimeSpan.FromSeconds(15);
}
