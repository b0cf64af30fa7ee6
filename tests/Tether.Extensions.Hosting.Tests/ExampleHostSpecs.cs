using System.Net.Http;
using System.Net.Sockets;

namespace Tether.Extensions.Hosting.Tests;

/// <summary>The example in examples/hosting: an ASP.NET Core app that supervises a worker through AddTetherSupervisor.</summary>
public sealed class ExampleHostSpecs
{
    [Fact]
    public async Task The_example_web_app_runs_its_worker_and_stops_it_cleanly_when_the_app_is_stopped()
    {
        // Arrange: the app's own tether.yaml and worker, in a project directory of the spec's own.
        using var project = new TempDirectory();
        foreach (var file in new[] { "tether.yaml", "worker.sh" })
        {
            File.Copy(Path.Combine(Example.Directory, file), Path.Combine(project.Path, file));
        }

        var port = FreePort();
        var app = new Command("dotnet")
            .WithArguments(Example.Assembly, "--contentRoot", project.Path, "--urls", $"http://127.0.0.1:{port}")
            .WithEnvironmentVariable("DOTNET_ENVIRONMENT", "Production")
            .WithEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Production");
        await using var process = await ProcessRunner.Default.StartAsync(app.ToPipeline());
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };

        // Act: wait for the worker, then stop the app as a service manager would (SIGTERM, then a generous grace).
        string? services = null;
        var running = await Bounds.EventuallyAsync(() =>
        {
            try
            {
                services = http.GetStringAsync("/services").GetAwaiter().GetResult();
                return services.StartsWith("worker#0 Ready pid ", StringComparison.Ordinal);
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        });
        Assert.True(running, $"the worker did not become ready; /services said: {services}");
        var workerPid = int.Parse(services!.Split(' ')[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var result = await process.StopAsync(TimeSpan.FromSeconds(60)).Soon();

        // Assert: the app ended by itself on SIGTERM (not killed), after its supervisor stopped the worker.
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Contains("Every service in", result.Stdout, StringComparison.Ordinal);
        var log = File.ReadAllText(Path.Combine(project.Path, ".tether", "logs", "worker.log"));
        Assert.Contains($"worker started as {workerPid}", log, StringComparison.Ordinal);
        Assert.Contains("worker stopping", log, StringComparison.Ordinal);
        Assert.False(File.Exists($"/proc/{workerPid}/stat"), "the worker outlived the app");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Where the example's sources and its build output are (built with the same configuration as the specs).</summary>
    private static class Example
    {
        public static string Directory { get; } = Path.Combine(RepositoryRoot(), "examples", "hosting");

        public static string Assembly { get; } = Path.Combine(Directory, "bin", Configuration(), "net10.0", "Tether.Examples.Hosting.dll");

        private static string Configuration() =>
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";

        private static string RepositoryRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException("The repository root (Tether.slnx) was not found above " + AppContext.BaseDirectory);
        }
    }
}
