using Tether.Supervisor.Tests.Engine;

namespace Tether.Supervisor.Tests.Config;

/// <summary>A file read by the loader is what the engine runs: its order, conditions, probes and replicas arrive intact.</summary>
public sealed class ConfigToEngineSpecs : IDisposable
{
    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void A_loaded_stack_starts_in_the_order_its_depends_on_entries_say()
    {
        var set = _project.Load("""
            services:
              web:
                command: [python3, -m, http.server, "8000"]
                depends_on:
                  db: {condition: ready}
                  migrate: {condition: completed_successfully}
                replicas: 2
              migrate:
                shell: ./migrate.sh
                depends_on: {db: {condition: ready}}
                restart: "no"
              db:
                command: [postgres]
                ready: {tcp: 5432, period: 1s}
            """);
        var driver = new EngineDriver([.. set.Services]);

        Assert.Equal(["db"], driver.Decisions.OfType<SupervisorDecision.StartInstance>().Select(start => start.Instance.Service));

        driver.Started("db");
        driver.RunUntil(TimeSpan.FromSeconds(1));
        driver.Probe("db", ProbeRole.Readiness, passed: true, "connected");
        Assert.Equal(1, driver.Starts("migrate"));
        Assert.Equal(0, driver.Starts("web"));

        driver.Started("migrate");
        driver.Exited("migrate", ExitInfo.Code(0));
        Assert.Equal([new InstanceId("web", 0), new InstanceId("web", 1)],
            driver.Decisions.OfType<SupervisorDecision.StartInstance>().Where(start => start.Instance.Service == "web").Select(start => start.Instance));
    }
}
