using System.Net;
using Microsoft.Playwright;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// The status page of a real <c>tether up --http</c>, in Debian's Chromium: it lists the services; a killed process's
/// restart shows without a reload; its restart button restarts (a new pid, an operator restart in the journal); no
/// token, nothing; a form on another origin changes nothing. Writes its screenshot as an artefact beside the test
/// assembly (artefacts/status-page.png), and, with TETHER_UPDATE_SCREENSHOT=1, to docs/images/status-page.png (the
/// README's).
/// </summary>
[Collection(StatusPageCollection.Name)]
public sealed class StatusPageBrowserSpecs(StatusPageStack stack)
{
    [Fact]
    public async Task The_page_lists_every_service_with_its_state_in_words_and_its_pid()
    {
        var page = await stack.OpenAsync();

        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(3);
        foreach (var service in new[] { "web", "worker", "ticker" })
        {
            var row = page.Locator($"tr[data-instance='{service}#0']");
            await Assertions.Expect(row.Locator(".c-state")).ToHaveTextAsync("ready");
            await Assertions.Expect(row.Locator(".c-pid")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+$"));
            await Assertions.Expect(row.Locator(".c-name")).ToHaveTextAsync(service);
        }

        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Killing_a_services_process_shows_its_restart_on_the_page_within_two_seconds_without_a_reload()
    {
        var page = await stack.OpenAsync();
        var row = page.Locator("tr[data-instance='worker#0']");
        await Assertions.Expect(row.Locator(".c-state")).ToHaveTextAsync("ready");
        var pid = int.Parse(await row.Locator(".c-pid").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        var restarts = int.Parse(await row.Locator(".c-restarts").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await page.EvaluateAsync("() => { window.notReloaded = true; }");

        System.Diagnostics.Process.GetProcessById(pid).Kill();

        // The restart itself waits 100 ms (backoff.initial); the page must show it within 2 s of the kill.
        await Assertions.Expect(row.Locator(".c-restarts")).ToHaveTextAsync((restarts + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 2000 });
        await Assertions.Expect(row.Locator(".c-pid")).Not.ToHaveTextAsync(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 2000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"), "the page was reloaded");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Clicking_restart_restarts_the_service_with_a_new_pid_and_the_journal_shows_an_operator_restart()
    {
        var page = await stack.OpenAsync();
        var row = page.Locator("tr[data-instance='web#0']");
        await Assertions.Expect(row.Locator(".c-state")).ToHaveTextAsync("ready");
        var pid = await row.Locator(".c-pid").InnerTextAsync();

        await row.Locator("button[data-action='restart']").ClickAsync();

        await Assertions.Expect(row.Locator(".c-pid")).Not.ToHaveTextAsync(pid, new() { Timeout = 10_000 });
        await Assertions.Expect(row.Locator(".c-pid")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 10_000 });
        using var client = stack.Client();
        var journal = await client.GetStringAsync("api/journal?service=web&limit=200");
        Assert.Contains("\"operator: restart\"", journal, StringComparison.Ordinal);

        // The timeline on the page says so too.
        await row.Locator(".c-name button").ClickAsync();
        await Assertions.Expect(page.Locator("#timeline")).ToContainTextAsync("operator: restart", new() { Timeout = 10_000 });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_the_token_the_page_and_the_api_are_refused()
    {
        var context = await stack.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        using var bare = new HttpClient { BaseAddress = stack.Address };

        var pageAnswer = await page.GotoAsync(stack.Address.ToString());
        var api = await bare.PostAsync("api/services/web/stop", null);

        Assert.Equal(401, pageAnswer!.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.DoesNotContain(StatusPageStack.Token, await page.ContentAsync(), StringComparison.Ordinal);
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_form_on_another_origin_cannot_stop_a_service()
    {
        var page = await stack.OpenAsync(); // this browser has a session with the supervisor
        using var client = stack.Client();
        var before = StatusPageStack.Status(client).Single(i => i.Service == "ticker");
        var target = new Uri(stack.Address, "/api/services/ticker/stop");
        await page.RouteAsync("http://evil.test/**", route => route.FulfillAsync(new RouteFulfillOptions
        {
            ContentType = "text/html",
            Body = $"<form id=f method=post action='{target}'><input name=x value=1></form><script>document.getElementById('f').submit()</script>",
        }));

        var posted = page.WaitForResponseAsync(target.ToString());
        await page.GotoAsync("http://evil.test/");
        var answer = await posted;

        // The browser leaves the SameSite=Strict session cookie off a cross-site post, so the post arrives without
        // credentials (401); were the cookie sent, its Origin and missing CSRF token would refuse it (403, HttpAccessSpecs).
        Assert.Contains(answer.Status, new[] { 401, 403 });
        var after = StatusPageStack.Status(client).Single(i => i.Service == "ticker");
        Assert.Equal(("ready", before.Pid), (after.State, after.Pid));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_screenshot_of_the_page_with_a_service_open_is_written_for_the_readme()
    {
        var page = await stack.OpenAsync();
        await page.Locator("tr[data-instance='ticker#0'] .c-name button").ClickAsync();
        await Assertions.Expect(page.Locator("#log div")).Not.ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#timeline li")).Not.ToHaveCountAsync(0, new() { Timeout = 10_000 });

        var artefact = Path.Combine(AppContext.BaseDirectory, "artefacts", "status-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artefact)!);
        var png = await page.ScreenshotAsync(new PageScreenshotOptions { Path = artefact, FullPage = true });

        Assert.True(png.Length > 10_000, "the screenshot is nearly empty");
        // The README's screenshot is refreshed only on request (TETHER_UPDATE_SCREENSHOT=1): a spec never edits the
        // source tree on an ordinary run.
        if (Environment.GetEnvironmentVariable("TETHER_UPDATE_SCREENSHOT") == "1" && RepositoryRoot() is { } root)
        {
            var images = Path.Combine(root, "docs", "images");
            Directory.CreateDirectory(images);
            File.Copy(artefact, Path.Combine(images, "status-page.png"), overwrite: true);
        }

        await page.Context.CloseAsync();
    }

    private static string? RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}

/// <summary>The browser specs share one stack and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class StatusPageCollection : ICollectionFixture<StatusPageStack>
{
    public const string Name = "status page in a browser";
}
