using System.Net;

namespace Tether.Supervisor.Tests.Control;

/// <summary>
/// A steady 1,000 requests a second of <c>GET /api/status</c> over TCP, all answered, without heap growth. Runs alone
/// (its heap measurement and the engine's long-run one would each see the other's garbage).
/// </summary>
[Collection(nameof(HttpLoadCollection))]
public sealed class HttpLoadSpecs(Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Bearer = "Authorization: Bearer t0ken\r\n";

    private readonly FakeSupervisorControl _control = new();

    [Fact]
    public async Task A_thousand_status_requests_a_second_are_all_answered_without_memory_growth()
    {
        // 20 s in CI; TETHER_LOAD_SECONDS=60 for the minute the issue names.
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("TETHER_LOAD_SECONDS"), out var s) && s > 0 ? s : 20;
        const int PerSecond = 1000;
        const int Workers = 8;
        await using var server = ControlServer.ListenHttp(_control, new IPEndPoint(IPAddress.Loopback, 0), "t0ken");
        var request = System.Text.Encoding.UTF8.GetBytes(TcpHttp.Request("GET", "/api/status", server.HttpEndpoint!, Bearer));

        async Task<(int Ok, int Other)> RunAsync(TimeSpan length)
        {
            var total = (int)(length.TotalSeconds * PerSecond);
            var start = TimeProvider.System.GetTimestamp();
            var results = await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
            {
                var ok = 0;
                var other = 0;
                for (var n = worker; n < total; n += Workers)
                {
                    // Paced: request n is due at n milliseconds.
                    var due = TimeSpan.FromMilliseconds(n * 1000.0 / PerSecond) - TimeProvider.System.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due);
                    }

                    var answer = await TcpHttp.SendAsync(server.HttpEndpoint!, request);
                    _ = answer.Status == 200 ? ok++ : other++;
                }

                return (ok, other);
            })));
            return (results.Sum(r => r.ok), results.Sum(r => r.other));
        }

        await RunAsync(TimeSpan.FromSeconds(2)); // warm up: JIT, pools, buffers
        var before = Heap();
        var started = TimeProvider.System.GetTimestamp();
        var (served, refused) = await RunAsync(TimeSpan.FromSeconds(seconds));
        var took = TimeProvider.System.GetElapsedTime(started);
        var after = Heap();

        output.WriteLine($"{served} GET /api/status in {took.TotalSeconds:0.0} s ({served / took.TotalSeconds:0} per second); heap {before / 1024} KiB before, {after / 1024} KiB after");
        Assert.Equal(0, refused);
        Assert.Equal(seconds * PerSecond, served);
        Assert.True(took < TimeSpan.FromSeconds(seconds * 3), $"{served} requests took {took.TotalSeconds:0.0}s");
        Assert.True(after - before < 16 * 1024 * 1024, $"the heap grew from {before} to {after} bytes over {served} requests");
        Assert.True(await Bounds.EventuallyAsync(() => server.RefusedConnections == 0));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

}

/// <summary>Load specs run by themselves, after the parallel ones.</summary>
[CollectionDefinition(nameof(HttpLoadCollection), DisableParallelization = true)]
public sealed class HttpLoadCollection;
