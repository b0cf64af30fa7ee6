using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

public sealed class StoppingSpecs
{
    private static EngineDriver RunningChain()
    {
        var driver = new EngineDriver(
            Service("web", new Dependency("api", DependencyCondition.Started)),
            Service("api", new Dependency("db", DependencyCondition.Started)),
            Service("db") with { Stop = new StopPolicy(Signal.Interrupt, TimeSpan.FromSeconds(3)) });
        driver.Started("db");
        driver.Started("api");
        driver.Started("web");
        return driver;
    }

    [Fact]
    public void A_shutdown_stops_services_in_reverse_dependency_order_each_with_its_own_signal_and_grace()
    {
        var driver = RunningChain();
        driver.Feed(new SupervisorInput.Shutdown(driver.Now, Force: false));
        Assert.Equal(["web"], driver.Last.OfType<SupervisorDecision.StopInstance>().Select(s => s.Instance.Service));

        driver.Exited("web", ExitInfo.BySignal(Signal.Terminate));
        Assert.Equal(["api"], driver.Last.OfType<SupervisorDecision.StopInstance>().Select(s => s.Instance.Service));
        driver.Exited("api", ExitInfo.Code(0));
        var db = Assert.Single(driver.Last.OfType<SupervisorDecision.StopInstance>());
        Assert.Equal((Signal.Interrupt, TimeSpan.FromSeconds(3), StopCause.Shutdown), (db.Signal, db.Grace, db.Cause));
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.ShutdownCompleted>());

        driver.Exited("db", ExitInfo.Code(0));
        Assert.Single(driver.Last.OfType<SupervisorDecision.ShutdownCompleted>());
        Assert.All(driver.Engine.Status(), s => Assert.Equal(ServiceState.Stopped, s.State));
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.RestartScheduled>());
    }

    [Fact]
    public void A_forced_shutdown_kills_every_tree_at_once_including_one_already_stopping()
    {
        var driver = RunningChain();
        driver.Feed(new SupervisorInput.Shutdown(driver.Now, Force: false));
        driver.Feed(new SupervisorInput.Shutdown(driver.Now, Force: true));

        Assert.Equal(["web", "api", "db"], driver.Last.OfType<SupervisorDecision.KillInstance>().Select(k => k.Instance.Service));
        foreach (var name in new[] { "web", "api", "db" })
        {
            driver.Exited(name, ExitInfo.BySignal(Signal.Kill));
        }

        Assert.Single(driver.Decisions.OfType<SupervisorDecision.ShutdownCompleted>());
    }

    [Fact]
    public void A_tree_that_outlives_its_grace_is_killed_by_the_engine_as_a_backstop()
    {
        var driver = RunningChain();
        driver.Feed(new SupervisorInput.Shutdown(driver.Now, Force: false));
        driver.Exited("web", ExitInfo.Code(0));
        driver.Exited("api", ExitInfo.Code(0));

        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(4.9));
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.KillInstance>());
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(0.1));
        Assert.Equal("db", Assert.Single(driver.Decisions.OfType<SupervisorDecision.KillInstance>()).Instance.Service);
    }

    [Fact]
    public void A_shutdown_before_a_process_existed_stops_it_as_soon_as_it_does()
    {
        var driver = new EngineDriver(Service("db"));
        driver.Feed(new SupervisorInput.Shutdown(driver.Now, Force: false));
        Assert.Equal(ServiceState.Stopping, driver.State("db"));
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.StopInstance>());

        driver.Started("db");
        Assert.Single(driver.Last.OfType<SupervisorDecision.StopInstance>());
        driver.Exited("db", ExitInfo.BySignal(Signal.Terminate));
        Assert.Single(driver.Last.OfType<SupervisorDecision.ShutdownCompleted>());
    }

    [Fact]
    public void An_operator_stop_is_not_undone_by_the_restart_policy_and_an_operator_start_brings_it_back()
    {
        var driver = new EngineDriver(Service("api") with { Restart = RestartPolicy.Always });
        driver.Started("api");
        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Stop, "api"));
        driver.Exited("api", ExitInfo.BySignal(Signal.Terminate));
        driver.RunUntil(driver.Now + TimeSpan.FromMinutes(1));

        Assert.Equal(ServiceState.Stopped, driver.State("api"));
        Assert.Equal("stopped by the operator (signal SIGTERM)", driver.Status("api").Reason);
        Assert.Equal(1, driver.Starts("api"));

        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Start, "api"));
        Assert.Equal(2, driver.Starts("api"));
    }

    [Fact]
    public void An_operator_restart_starts_again_at_once_without_backoff_and_without_counting_a_restart()
    {
        var driver = new EngineDriver(Service("api"));
        driver.Started("api");
        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Restart, "api"));
        Assert.Equal(StopCause.OperatorRestart, driver.Last.OfType<SupervisorDecision.StopInstance>().Single().Cause);

        driver.Exited("api", ExitInfo.BySignal(Signal.Terminate));
        Assert.Equal(2, driver.Starts("api"));
        Assert.Equal(0, driver.Status("api").Restarts);
    }

    [Fact]
    public void Scaling_adds_instances_and_removes_the_highest_ones_after_their_trees_ended()
    {
        var driver = new EngineDriver(Service("worker"));
        driver.Started("worker");
        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Scale, "worker", 3));
        Assert.Equal([1, 2], driver.Last.OfType<SupervisorDecision.StartInstance>().Select(s => s.Instance.Index));
        driver.Started("worker", 1);
        driver.Started("worker", 2);

        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Scale, "worker", 1));
        Assert.Equal([1, 2], driver.Last.OfType<SupervisorDecision.StopInstance>().Select(s => s.Instance.Index));
        Assert.Equal(3, driver.Engine.InstanceCount);
        driver.Exited("worker", ExitInfo.BySignal(Signal.Terminate), 1);
        driver.Exited("worker", ExitInfo.BySignal(Signal.Terminate), 2);

        Assert.Equal(2, driver.Decisions.OfType<SupervisorDecision.InstanceRemoved>().Count());
        Assert.Equal([new InstanceId("worker", 0)], driver.Engine.Status().Select(s => s.Id));
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.RestartScheduled>());
    }
}
