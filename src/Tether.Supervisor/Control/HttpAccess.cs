using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// Who may use the control API over TCP (docs/api.md, "Security"). The Unix socket trusts the kernel's word on the
/// peer's user; TCP has no such word, so every request proves itself here before it reaches a route:
/// <list type="bullet">
/// <item>With a token (always off loopback; on loopback when one is given): <c>Authorization: Bearer TOKEN</c>, or the
/// session cookie a browser got by opening <c>/?token=TOKEN</c> once. Compared in constant time over SHA-256, so
/// neither content nor length leaks.</item>
/// <item>Without a token (loopback only): the <c>Host</c> header must name a loopback address, so a page on another
/// site whose name was re-pointed at 127.0.0.1 (DNS rebinding) is refused.</item>
/// <item>A state-changing request (POST) that is not carrying the bearer token must come from the status page itself:
/// it carries the page's CSRF token in <c>X-Tether-CSRF</c> (a header a cross-origin form cannot set, and a token a page
/// on another origin cannot read), and its <c>Origin</c> and <c>Sec-Fetch-Site</c>, when the browser sends them, say
/// same origin.</item>
/// </list>
/// Nothing here logs or keeps a request's credentials.
/// </summary>
internal sealed class HttpAccess
{
    /// <summary>The cookie the status page's session rides on.</summary>
    public const string SessionCookie = "tether_session";

    /// <summary>The header the status page sends its CSRF token in.</summary>
    public const string CsrfHeader = "X-Tether-CSRF";

    private readonly byte[]? _tokenHash;
    private readonly byte[] _sessionHash;
    private readonly byte[] _csrfHash;

    /// <summary>Creates the access rules for one listener.</summary>
    /// <param name="token">The bearer token, or null for a loopback listener open to the local user.</param>
    public HttpAccess(string? token)
    {
        _tokenHash = token is null ? null : Hash(token);
        Session = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _sessionHash = Hash(Session);
        Csrf = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _csrfHash = Hash(Csrf);
    }

    /// <summary>Whether requests must carry the token (or the session it opens).</summary>
    public bool RequiresToken => _tokenHash is not null;

    /// <summary>The per-supervisor CSRF token the status page embeds and sends back on every POST.</summary>
    public string Csrf { get; }

    /// <summary>The session cookie's value, handed to a browser that showed the token once.</summary>
    public string Session { get; }

    /// <summary>A fresh random token for a listener that needs one and was given none: 32 bytes, hex.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Whether <paramref name="address"/> is a loopback address (127.0.0.0/8, ::1, or IPv4 loopback mapped to IPv6).</summary>
    public static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>
    /// Checks <paramref name="request"/>; returns true when it is a browser showing the token in <c>/?token=</c>, which
    /// the server answers with the session cookie and a redirect to <c>/</c> (so the token leaves the address bar).
    /// </summary>
    /// <exception cref="ControlError">401 without the token; 403 for a foreign host, origin or a missing CSRF token.</exception>
    public bool Check(ControlRequest request)
    {
        if (!RequiresToken && !LoopbackHost(request.Header("Host")))
        {
            throw new ControlError(403, "forbidden", "this supervisor's HTTP API answers only to a loopback host name (localhost, 127.0.0.1, [::1]); start it with --token to serve other names");
        }

        var bearer = Bearer(request);
        if (RequiresToken && bearer is null && request.Method == "GET" && request.Path == "/" && request.Value("token") is { } shown)
        {
            if (!Matches(_tokenHash!, shown))
            {
                throw new ControlError(401, "unauthorized", "the token in the address is not this supervisor's: open the address 'tether up' printed");
            }

            return true;
        }

        if (RequiresToken && bearer is null && !HasSession(request))
        {
            throw new ControlError(401, "unauthorized", "this supervisor needs its token: send 'Authorization: Bearer TOKEN', or open the page at the address 'tether up' printed (/?token=TOKEN)");
        }

        if (bearer is not null && (_tokenHash is null || !Matches(_tokenHash, bearer)))
        {
            throw new ControlError(401, "unauthorized", "the bearer token is not this supervisor's: use the one 'tether up' printed or was given with --token/TETHER_TOKEN");
        }

        if (request.Method != "GET" && bearer is null)
        {
            CheckSameOrigin(request);
        }

        return false;
    }

    /// <summary>The <c>Set-Cookie</c> header that opens a page session (HttpOnly, SameSite=Strict: no other site's request carries it).</summary>
    public string SessionCookieHeader() => $"Set-Cookie: {SessionCookie}={Session}; Path=/; HttpOnly; SameSite=Strict\r\n";

    private void CheckSameOrigin(ControlRequest request)
    {
        if (request.Header("Sec-Fetch-Site") is { } site && site is not ("same-origin" or "none"))
        {
            throw new ControlError(403, "cross_origin", $"a {site} request may not change the supervisor: use the status page itself, or send the bearer token");
        }

        if (request.Header("Origin") is { } origin && !string.Equals(origin, "http://" + request.Header("Host"), StringComparison.OrdinalIgnoreCase))
        {
            throw new ControlError(403, "cross_origin", "a request from another origin may not change the supervisor: use the status page itself, or send the bearer token");
        }

        if (request.Header(CsrfHeader) is not { } csrf || !Matches(_csrfHash, csrf))
        {
            throw new ControlError(403, "csrf", $"a POST needs the bearer token, or the status page's {CsrfHeader} header: use the page's buttons or 'Authorization: Bearer TOKEN'");
        }
    }

    private bool HasSession(ControlRequest request)
    {
        foreach (var header in request.Headers)
        {
            if (!header.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (var part in header.Value.Split(';', StringSplitOptions.TrimEntries))
            {
                if (part.StartsWith(SessionCookie + "=", StringComparison.Ordinal) && Matches(_sessionHash, part[(SessionCookie.Length + 1)..]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? Bearer(ControlRequest request) =>
        request.Header("Authorization") is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;

    private static bool LoopbackHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        // Strip the port: "[::1]:7070", "127.0.0.1:7070", "localhost:7070".
        var name = host.StartsWith('[') ? host[1..Math.Max(1, host.IndexOf(']', StringComparison.Ordinal))] : host.Split(':')[0];
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(name, out var address) && IsLoopback(address));
    }

    private static bool Matches(byte[] expectedHash, string presented) =>
        CryptographicOperations.FixedTimeEquals(expectedHash, Hash(presented));

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
