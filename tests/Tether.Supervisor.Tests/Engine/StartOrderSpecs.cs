using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

public sealed class StartOrderSpecs
{
    private static readonly ProbeDefinition TcpReady = new() { Kind = ProbeKind.Tcp, Port = 5432, Period = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Services_start_in_dependency_order_each_waiting_for_its_dependencies_condition()
    {
        var driver = new EngineDriver(
            Service("web", new Dependency("db", DependencyCondition.Ready), new Dependency("migrate", DependencyCondition.CompletedSuccessfully)),
            Service("migrate", new Dependency("db", DependencyCondition.Ready)) with { Restart = RestartPolicy.No },
            Service("db") with { Ready = TcpReady });

        Assert.Equal(["db"], driver.Decisions.OfType<SupervisorDecision.StartInstance>().Select(s => s.Instance.Service));
        Assert.Equal(ServiceState.Waiting, driver.State("web"));
        Assert.Contains("waiting for db to be ready", driver.Status("web").Reason, StringComparison.Ordinal);

        driver.Started("db");
        Assert.Equal(ServiceState.Running, driver.State("db"));
        Assert.Equal(0, driver.Starts("migrate"));

        driver.Probe("db", ProbeRole.Readiness, passed: true, "connected");
        Assert.Equal(ServiceState.Ready, driver.State("db"));
        Assert.Equal(1, driver.Starts("migrate"));
        Assert.Equal(0, driver.Starts("web"));
        Assert.Contains("waiting for migrate to be completed successfully", driver.Status("web").Reason, StringComparison.Ordinal);

        driver.Started("migrate");
        driver.Exited("migrate", ExitInfo.Code(0));
        Assert.Equal(ServiceState.Completed, driver.State("migrate"));
        Assert.Equal(1, driver.Starts("web"));

        driver.Started("web");
        Assert.Single(driver.Last.OfType<SupervisorDecision.AllReady>());
    }

    [Fact]
    public void A_dependency_that_fails_leaves_its_dependent_waiting_with_the_reason_and_the_dependent_never_starts()
    {
        var driver = new EngineDriver(
            Service("web", new Dependency("migrate", DependencyCondition.CompletedSuccessfully)),
            Service("migrate") with { Restart = RestartPolicy.No });

        driver.Started("migrate");
        driver.Exited("migrate", ExitInfo.Code(3));

        Assert.Equal(ServiceState.Exited, driver.State("migrate"));
        Assert.Equal(ServiceState.Waiting, driver.State("web"));
        Assert.Equal("waiting for migrate to be completed successfully (migrate#0 is exited: exit 3)", driver.Status("web").Reason);
        driver.RunUntil(TimeSpan.FromMinutes(10));
        Assert.Equal(0, driver.Starts("web"));
    }

    [Fact]
    public void A_dependent_never_starts_twice_however_often_its_dependency_restarts()
    {
        var driver = new EngineDriver(Service("web", new Dependency("db", DependencyCondition.Started)), Service("db"));
        driver.Started("db");
        driver.Started("web");

        for (var i = 0; i < 4; i++)
        {
            driver.Exited("db", ExitInfo.Code(1));
            driver.RunUntil(driver.Now + TimeSpan.FromSeconds(10));
            driver.Started("db");
        }

        Assert.Equal(1, driver.Starts("web"));
        Assert.Equal(ServiceState.Ready, driver.State("web"));
        Assert.Equal(5, driver.Starts("db"));
    }

    [Fact]
    public void A_restarting_dependent_waits_for_its_dependency_to_be_ready_again()
    {
        var driver = new EngineDriver(Service("web", new Dependency("db", DependencyCondition.Ready)), Service("db") with { Ready = TcpReady });
        driver.Started("db");
        driver.Probe("db", ProbeRole.Readiness, passed: true);
        driver.Started("web");

        // Both crash; web's backoff ends before db is ready again.
        driver.Exited("db", ExitInfo.Code(1));
        driver.Exited("web", ExitInfo.Code(1));
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(1));

        Assert.Equal(2, driver.Starts("db"));
        Assert.Equal(1, driver.Starts("web"));
        Assert.Equal(ServiceState.Waiting, driver.State("web"));
        Assert.Contains("waiting for db to be ready (db#0 is starting)", driver.Status("web").Reason, StringComparison.Ordinal);

        driver.Started("db");
        driver.Advance(TimeSpan.FromSeconds(1));
        driver.Probe("db", ProbeRole.Readiness, passed: true);
        Assert.Equal(2, driver.Starts("web"));
    }

    [Fact]
    public void Every_replica_gets_its_own_instance_and_a_dependency_on_it_waits_for_all_of_them()
    {
        var driver = new EngineDriver(Service("web", new Dependency("worker", DependencyCondition.Started)), Service("worker") with { Replicas = 3 });

        Assert.Equal([0, 1, 2], driver.Decisions.OfType<SupervisorDecision.StartInstance>().Select(s => s.Instance.Index));
        driver.Started("worker", 0);
        driver.Started("worker", 2);
        Assert.Equal(0, driver.Starts("web"));
        driver.Started("worker", 1);
        Assert.Equal(1, driver.Starts("web"));
    }

    [Fact]
    public void News_of_an_earlier_run_is_ignored()
    {
        var driver = new EngineDriver(Service("db"));
        var first = driver.LastStart("db");
        driver.Started("db");
        driver.Exited("db", ExitInfo.Code(1));
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(1));
        var pid = driver.Started("db");

        driver.Feed(new SupervisorInput.Exited(driver.Now, first.Instance, first.RunId, ExitInfo.Code(9)));
        driver.Feed(new SupervisorInput.Started(driver.Now, first.Instance, first.RunId, 4242));

        Assert.Equal(ServiceState.Ready, driver.State("db"));
        Assert.Equal(pid, driver.Status("db").Pid);
    }
}
