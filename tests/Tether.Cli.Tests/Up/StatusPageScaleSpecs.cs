using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using Tether.Cli.Tests.Infrastructure;
using Tether.Supervisor;
using Tether.Supervisor.Tests.Control;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// The status page stays small and quick with 200 services and a log flood: every instance is one row, a changed
/// status touches rows in place, and the log view never holds more than its cap however many lines arrive.
/// </summary>
[Collection(StatusPageCollection.Name)]
public sealed class StatusPageScaleSpecs(StatusPageStack stack)
{
    [Fact]
    public async Task Two_hundred_services_and_a_flood_of_log_lines_keep_the_page_bounded()
    {
        var control = new FakeSupervisorControl();
        for (var n = 0; n < 197; n++)
        {
            control.Instances.Add(new InstanceStatus(new InstanceId("svc" + n.ToString("000", CultureInfo.InvariantCulture), 0), ServiceState.Ready, 10_000 + n, TimeSpan.Zero, TimeSpan.Zero, 0, Health.Passing, null, "ready"));
        }

        await using var server = ControlServer.ListenHttp(control, new IPEndPoint(IPAddress.Loopback, 0), token: null);
        var context = await stack.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync($"http://{server.HttpEndpoint}/");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(200);

        // A change to one service updates its row without rebuilding the table.
        await page.EvaluateAsync("() => { window.firstRow = document.querySelector(\"tr[data-instance='svc000#0']\"); }");
        control.Instances[5] = control.Instances[5] with { State = ServiceState.Restarting, Pid = null, Restarts = 1 };
        await Assertions.Expect(page.Locator("tr[data-instance='svc002#0'] .c-state")).ToHaveTextAsync("restarting", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstRow === document.querySelector(\"tr[data-instance='svc000#0']\")"), "the table was rebuilt");

        await page.Locator("tr[data-instance='web#0'] .c-name button").ClickAsync();
        await Tool.EventuallyAsync(() => control.Followers == 1, "the page follows web's log");
        for (var n = 0; n < 20_000; n++)
        {
            control.Emit(new LogLine(DateTimeOffset.UnixEpoch, new InstanceId("web", 0), LogStream.Stdout, "flood line " + n.ToString(CultureInfo.InvariantCulture)));
        }

        await Assertions.Expect(page.Locator("#log div").Last).ToHaveTextAsync("flood line 19999", new() { Timeout = 30_000 });
        Assert.InRange(await page.Locator("#log div").CountAsync(), 1, 500);
        await context.CloseAsync();
    }
}
