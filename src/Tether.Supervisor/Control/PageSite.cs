namespace Tether.Supervisor;

/// <summary>What the routes beyond the JSON API need from their listener: its bounds and clock, and the CSRF token the status page embeds.</summary>
/// <param name="Options">The listener's options (clock, journal, event periods).</param>
/// <param name="Csrf">The token the page sends back on every POST; empty on the Unix socket, whose peer is checked instead.</param>
/// <param name="ServesPage">Whether the status page is served (on TCP, where a browser can reach it; the Unix socket serves the API alone).</param>
internal sealed record PageSite(ControlServerOptions Options, string Csrf, bool ServesPage);
