using System.CommandLine;
using System.Net;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether up --http ADDRESS:PORT [--token TOKEN]</c>: the control API, the status page and /metrics on TCP.</summary>
internal sealed partial class UpVerb
{
    /// <summary>Where the token may come from instead of <c>--token</c> (kept out of the process list).</summary>
    internal const string TokenVariable = "TETHER_TOKEN";

    private readonly Option<string> _http = new("--http") { HelpName = "ADDRESS:PORT", Description = "Also serve the API, the status page (/) and /metrics on TCP, such as 127.0.0.1:7070." };
    private readonly Option<string> _token = new("--token") { HelpName = "TOKEN", Description = $"The bearer token --http requires (off loopback one is generated when not given); prefer {TokenVariable}." };

    /// <summary>What --http asks for: where, and with which token (null: loopback, open to the local user).</summary>
    private sealed record HttpRequest(IPEndPoint Endpoint, string? Token, bool Generated);

    /// <summary>Reads --http and --token (or TETHER_TOKEN); generates a token off loopback when none is given.</summary>
    private HttpRequest? Http(ParseResult parse)
    {
        var token = parse.GetValue(_token) ?? Environment.GetEnvironmentVariable(TokenVariable);

        // The services inherit the supervisor's environment: the token is the supervisor's alone.
        Environment.SetEnvironmentVariable(TokenVariable, null);
        if (token is { Length: 0 })
        {
            throw new UsageException($"up: the token is empty: give a non-empty --token or {TokenVariable}, or none to have one generated.");
        }

        if (parse.GetValue(_http) is not { } address)
        {
            if (parse.GetValue(_token) is not null)
            {
                throw new UsageException("up: --token is for --http: add --http 127.0.0.1:7070 (or another address) to serve the API on TCP.");
            }

            return null;
        }

        var endpoint = Endpoint(address);
        var generated = token is null && !IsLoopback(endpoint.Address);
        return new HttpRequest(endpoint, generated ? NewToken() : token, generated);
    }

    /// <summary>Starts the TCP listener; null (with the error printed) when the address cannot be used.</summary>
    private ControlServer? ListenHttp(Supervisor.Supervisor supervisor, ServiceSet set, HttpRequest http)
    {
        ControlServer server;
        try
        {
            server = ControlServer.ListenHttp(supervisor, http.Endpoint, http.Token, new ControlServerOptions
            {
                JournalDirectory = Path.Combine(set.StateDirectory, "journal"),
            });
        }
        catch (IOException ex)
        {
            Console.WriteError($"up: --http: {ex.Message}: choose another port or address.");
            return null;
        }

        var address = server.HttpEndpoint!;
        var url = $"http://{(address.Address.Equals(IPAddress.Any) ? "127.0.0.1" : address.Address.Equals(IPAddress.IPv6Any) ? "[::1]" : Format(address.Address))}:{address.Port}/";
        // The token goes to the terminal only when it was generated here (the user has no other way to learn it); one
        // the user gave is never printed again. Nothing else writes it anywhere.
        Console.WriteError(http.Generated
            ? $"up: status page and API on {url}  (token: {http.Token}; open {url}?token={http.Token})"
            : $"up: status page and API on {url}" + (http.Token is null ? "" : " (bearer token required)"));
        return server;
    }

    private static IPEndPoint Endpoint(string address)
    {
        var text = address.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" + address[9..] : address;
        // A port is required (":0" asks the system for a free one, printed once listening).
        var port = text.LastIndexOf(':');
        if (!IPEndPoint.TryParse(text, out var endpoint) || port < 0 || text.LastIndexOf(']') > port || (endpoint.Port == 0 && !text.EndsWith(":0", StringComparison.Ordinal)))
        {
            throw new UsageException($"up: --http '{address}' is not ADDRESS:PORT: write it like 127.0.0.1:7070, [::1]:7070 or 0.0.0.0:7070 (which needs a token).");
        }

        return endpoint;
    }

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    private static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    private static string Format(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
