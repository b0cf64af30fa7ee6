using System.Net;
using System.Text.RegularExpressions;

namespace Tether.Supervisor.Tests.Control;

/// <summary>
/// The control API on TCP (docs/api.md, "Security"): off loopback a token is required; with a token, nothing is served
/// without it; a browser that showed it once gets an HttpOnly, SameSite=Strict session; a POST without the bearer token
/// needs the page's CSRF token and a same-origin request, so a page on another origin cannot restart a service.
/// </summary>
public sealed partial class HttpAccessSpecs : IAsyncLifetime
{
    private const string Token = "s3cret-token-for-specs";

    private readonly FakeSupervisorControl _control = new();
    private ControlServer? _open;
    private ControlServer? _guarded;

    private IPEndPoint Open => _open!.HttpEndpoint!;

    private IPEndPoint Guarded => _guarded!.HttpEndpoint!;

    public Task InitializeAsync()
    {
        _open = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), token: null);
        _guarded = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), Token);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _open!.DisposeAsync();
        await _guarded!.DisposeAsync();
    }

    [Fact]
    public void Listening_off_loopback_without_a_token_is_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Any, 0), token: null));

        Assert.Contains("needs a token", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_with_a_token_the_token_is_required()
    {
        await using var server = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Any, 0), Token);
        var endpoint = new IPEndPoint(IPAddress.Loopback, server.HttpEndpoint!.Port);

        var without = await TcpHttp.SendAsync(endpoint, TcpHttp.Request("GET", "/api/status", endpoint));
        var with = await TcpHttp.SendAsync(endpoint, TcpHttp.Request("GET", "/api/status", endpoint, $"Authorization: Bearer {Token}\r\n"));

        Assert.True(server.RequiresToken);
        Assert.Equal(401, without.Status);
        Assert.Equal(200, with.Status);
    }

    [Fact]
    public async Task A_request_without_the_token_is_refused_401_and_sees_nothing()
    {
        foreach (var target in new[] { "/api/status", "/", "/metrics", "/api/events", "/api/logs", "/assets/page.js" })
        {
            var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", target, Guarded));

            Assert.Equal(401, answer.Status);
            Assert.Equal("unauthorized", answer.Error().Code);
            Assert.Contains("WWW-Authenticate: Bearer", answer.Head, StringComparison.Ordinal);
            Assert.DoesNotContain("web", answer.Body, StringComparison.Ordinal);
        }

        Assert.True(_guarded!.UnauthorizedRequests >= 6);
    }

    [Fact]
    public async Task A_wrong_token_is_refused_and_never_echoed()
    {
        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded, "Authorization: Bearer wrong-guess\r\n"));

        Assert.Equal(401, answer.Status);
        Assert.DoesNotContain("wrong-guess", answer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, answer.ToString(), StringComparison.Ordinal);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task The_bearer_token_lets_a_script_restart_a_service()
    {
        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded, $"Authorization: Bearer {Token}\r\n"));

        Assert.Equal(202, answer.Status);
        Assert.Equal([(OperatorAction.Restart, "web", 0)], _control.Commands);
    }

    [Fact]
    public async Task Opening_the_page_with_the_token_gives_a_strict_session_cookie_and_takes_the_token_out_of_the_address()
    {
        var login = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", "/?token=" + Token, Guarded));

        Assert.Equal(303, login.Status);
        Assert.Contains("Location: /\r\n", login.Head + "\r\n", StringComparison.Ordinal);
        var cookie = SessionCookie().Match(login.Head);
        Assert.True(cookie.Success, login.Head);
        Assert.Contains("HttpOnly", cookie.Value, StringComparison.Ordinal);
        Assert.Contains("SameSite=Strict", cookie.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, login.Head, StringComparison.Ordinal);

        var page = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", "/", Guarded, $"Cookie: tether_session={cookie.Groups["value"].Value}\r\n"));
        Assert.Equal(200, page.Status);
        Assert.Contains("<table", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_token_in_the_address_gives_no_session()
    {
        var login = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", "/?token=nope", Guarded));

        Assert.Equal(401, login.Status);
        Assert.DoesNotContain("Set-Cookie", login.Head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cross_origin_form_post_is_refused_even_with_the_session_cookie()
    {
        var cookie = await SessionAsync();

        // What a page on another site gets from a <form method=post action=http://127.0.0.1:PORT/api/services/web/restart>:
        // the browser adds the Origin and Sec-Fetch-Site, and no custom header.
        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded,
            $"Cookie: tether_session={cookie}\r\nOrigin: http://evil.example\r\nSec-Fetch-Site: cross-site\r\nContent-Type: application/x-www-form-urlencoded\r\n", "x=1"));

        Assert.Equal(403, answer.Status);
        Assert.Equal("cross_origin", answer.Error().Code);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task A_same_origin_post_without_the_pages_csrf_token_is_refused()
    {
        var cookie = await SessionAsync();

        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded,
            $"Cookie: tether_session={cookie}\r\nOrigin: http://{Guarded}\r\nSec-Fetch-Site: same-origin\r\n"));

        Assert.Equal(403, answer.Status);
        Assert.Equal("csrf", answer.Error().Code);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task The_page_restarts_a_service_with_its_session_and_its_csrf_token()
    {
        var cookie = await SessionAsync();
        var page = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", "/", Guarded, $"Cookie: tether_session={cookie}\r\n"));
        var csrf = CsrfMeta().Match(page.Body).Groups["value"].Value;
        Assert.Equal(64, csrf.Length);

        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded,
            $"Cookie: tether_session={cookie}\r\nOrigin: http://{Guarded}\r\nSec-Fetch-Site: same-origin\r\nX-Tether-CSRF: {csrf}\r\n"));

        Assert.Equal(202, answer.Status);
        Assert.Equal([(OperatorAction.Restart, "web", 0)], _control.Commands);
    }

    [Fact]
    public async Task A_csrf_token_from_another_supervisor_does_not_count()
    {
        var cookie = await SessionAsync();
        var other = await TcpHttp.SendAsync(Open, TcpHttp.Request("GET", "/", Open));
        var foreign = CsrfMeta().Match(other.Body).Groups["value"].Value;

        var answer = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("POST", "/api/services/web/restart", Guarded,
            $"Cookie: tether_session={cookie}\r\nX-Tether-CSRF: {foreign}\r\n"));

        Assert.Equal(403, answer.Status);
        Assert.Empty(_control.Commands);
    }

    [Fact]
    public async Task On_loopback_without_a_token_reading_is_open_and_changing_needs_the_pages_csrf_token()
    {
        var status = await TcpHttp.SendAsync(Open, TcpHttp.Request("GET", "/api/status", Open));
        var bare = await TcpHttp.SendAsync(Open, TcpHttp.Request("POST", "/api/services/web/stop", Open));
        var page = await TcpHttp.SendAsync(Open, TcpHttp.Request("GET", "/", Open));
        var csrf = CsrfMeta().Match(page.Body).Groups["value"].Value;
        var withCsrf = await TcpHttp.SendAsync(Open, TcpHttp.Request("POST", "/api/services/web/stop", Open, $"X-Tether-CSRF: {csrf}\r\n"));

        Assert.False(_open!.RequiresToken);
        Assert.Equal(200, status.Status);
        Assert.Equal(403, bare.Status);
        Assert.Equal(202, withCsrf.Status);
        Assert.Equal([(OperatorAction.Stop, "web", 0)], _control.Commands);
    }

    [Fact]
    public async Task Without_a_token_a_foreign_host_name_is_refused_so_dns_rebinding_cannot_reach_the_api()
    {
        var answer = await TcpHttp.SendAsync(Open, $"GET /api/status HTTP/1.1\r\nHost: attacker.example:{Open.Port}\r\n\r\n");

        Assert.Equal(403, answer.Status);
        Assert.Contains("loopback host name", answer.Error().Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_answer_forbids_framing_and_sniffing_and_the_page_has_a_strict_content_policy()
    {
        var page = await TcpHttp.SendAsync(Open, TcpHttp.Request("GET", "/", Open));

        Assert.Contains("X-Frame-Options: DENY", page.Head, StringComparison.Ordinal);
        Assert.Contains("X-Content-Type-Options: nosniff", page.Head, StringComparison.Ordinal);
        Assert.Contains("Referrer-Policy: no-referrer", page.Head, StringComparison.Ordinal);
        Assert.Contains("Content-Security-Policy: default-src 'none'; script-src 'self'", page.Head, StringComparison.Ordinal);
    }

    private async Task<string> SessionAsync()
    {
        var login = await TcpHttp.SendAsync(Guarded, TcpHttp.Request("GET", "/?token=" + Token, Guarded));
        return SessionCookie().Match(login.Head).Groups["value"].Value;
    }

    [GeneratedRegex("Set-Cookie: tether_session=(?<value>[0-9a-f]+);[^\r\n]*")]
    private static partial Regex SessionCookie();

    [GeneratedRegex("<meta name=\"tether-csrf\" content=\"(?<value>[0-9a-f]*)\">")]
    private static partial Regex CsrfMeta();
}
