using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// A real <c>tether up --http 127.0.0.1:0</c> (the built tool, as a child process) with a small stack — <c>web</c> and
/// <c>worker</c> run the project's sleeper, <c>ticker</c> prints a line every 200 ms — and a token, plus Debian's
/// Chromium driven headless by Playwright. Shared by the browser specs; disposal stops the supervisor with SIGTERM
/// (SIGKILL if it hangs), closes the browser, and the project kills anything left and removes its directory.
/// </summary>
public sealed partial class StatusPageStack : IAsyncLifetime
{
    /// <summary>Where .ci/install-test-tools puts Debian's Chromium.</summary>
    public const string Chromium = "/usr/bin/chromium";

    public const string Token = "browser-spec-token-0123456789";

    private readonly StackProject _project = new("""
        services:
          web:
            command: [$DIR/sleeper, "1001"]
            backoff: {initial: 100ms}
          worker:
            command: [$DIR/sleeper, "1002"]
            backoff: {initial: 100ms}
          ticker:
            command: [sh, -c, "i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
        """);

    private Process? _up;
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The page's address, such as <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    internal StackProject Project => _project;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run .ci/install-test-tools (it installs Debian's chromium)");
        var start = new ProcessStartInfo(Tool.Executable)
        {
            WorkingDirectory = _project.Directory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[] { "up", "--http", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["TETHER_TOKEN"] = Token;
        start.Environment.Remove("NOTIFY_SOCKET");
        _up = Process.Start(start)!;
        _up.OutputDataReceived += (_, _) => { };
        _up.BeginOutputReadLine();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
        _up.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("tether up ended before it listened: " + string.Join(" | ", errors)));
                return;
            }

            lock (errors)
            {
                errors.Add(e.Data);
            }

            if (Listening().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups["url"].Value));
            }
        };
        _up.BeginErrorReadLine();
        Address = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root (CI containers) Chromium refuses to start with its sandbox.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });

        using var client = Client();
        await Tool.EventuallyAsync(() => Status(client).Count(i => i.State == "ready") == 3, "the stack becomes ready");
    }

    /// <summary>An HTTP client that shows the token.</summary>
    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        return client;
    }

    /// <summary>The instances as the API reports them: name, state, pid, restarts.</summary>
    public static List<(string Service, string State, int? Pid, int Restarts)> Status(HttpClient client)
    {
        using var document = System.Text.Json.JsonDocument.Parse(client.GetStringAsync("api/status").GetAwaiter().GetResult());
        return [.. document.RootElement.GetProperty("instances").EnumerateArray().Select(i => (
            i.GetProperty("service").GetString()!,
            i.GetProperty("state").GetString()!,
            i.GetProperty("pid").ValueKind == System.Text.Json.JsonValueKind.Number ? i.GetProperty("pid").GetInt32() : (int?)null,
            i.GetProperty("restarts").GetInt32()))];
    }

    /// <summary>A new browser context whose page is logged in (it opened the printed address with the token once).</summary>
    public async Task<IPage> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        var answer = await page.GotoAsync(new Uri(Address, "/?token=" + Token).ToString());
        Assert.Equal(200, answer!.Status);
        Assert.Equal(Address.ToString(), page.Url); // redirected: the token left the address bar
        await page.WaitForSelectorAsync("tr[data-instance='ticker#0']");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_up is { HasExited: false } up)
        {
            using (var term = Process.Start("kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await up.WaitForExitAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                up.Kill(entireProcessTree: true);
            }
        }

        _up?.Dispose();
        _project.Dispose();
    }

    [GeneratedRegex(@"status page and API on (?<url>http://\S+/)")]
    private static partial Regex Listening();
}
