using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

public sealed class ReloadSpecs
{
    [Fact]
    public void A_reload_restarts_only_what_changed_starts_what_is_new_and_removes_what_is_gone()
    {
        var driver = new EngineDriver(Service("db"), Service("api"), Service("old"));
        driver.Started("db");
        driver.Started("api");
        driver.Started("old");

        var changedApi = Service("api") with { Environment = new Dictionary<string, string> { ["MODE"] = "fast" } };
        driver.Feed(new SupervisorInput.Reload(driver.Now, new ServiceSet("/project", [Service("db"), changedApi, Service("new")])));

        var stops = driver.Last.OfType<SupervisorDecision.StopInstance>().ToDictionary(s => s.Instance.Service, s => s.Cause);
        Assert.Equal(new Dictionary<string, StopCause> { ["api"] = StopCause.Reload, ["old"] = StopCause.Removed }, stops);
        Assert.Equal(["new"], driver.Last.OfType<SupervisorDecision.StartInstance>().Select(s => s.Instance.Service));

        driver.Exited("api", ExitInfo.BySignal(Signal.Terminate));
        var restarted = driver.Last.OfType<SupervisorDecision.StartInstance>().Single();
        Assert.Equal("fast", restarted.Service.Environment["MODE"]);
        driver.Exited("old", ExitInfo.BySignal(Signal.Terminate));

        Assert.Equal(["db", "api", "new"], driver.Engine.Status().Select(s => s.Id.Service));
        Assert.Equal(1, driver.Starts("db"));
    }

    [Fact]
    public void A_reload_that_changes_only_the_replica_count_scales_without_restarting()
    {
        var driver = new EngineDriver(Service("worker") with { Replicas = 2 });
        driver.Started("worker", 0);
        driver.Started("worker", 1);

        driver.Feed(new SupervisorInput.Reload(driver.Now, new ServiceSet("/project", [Service("worker") with { Replicas = 3 }])));

        Assert.Empty(driver.Last.OfType<SupervisorDecision.StopInstance>());
        Assert.Equal([2], driver.Last.OfType<SupervisorDecision.StartInstance>().Select(s => s.Instance.Index));
    }

    [Fact]
    public void A_service_stopped_by_the_operator_stays_stopped_across_a_reload()
    {
        var driver = new EngineDriver(Service("api") with { Restart = RestartPolicy.UnlessStopped });
        driver.Started("api");
        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Stop, "api"));
        driver.Exited("api", ExitInfo.BySignal(Signal.Terminate));

        driver.Feed(new SupervisorInput.Reload(driver.Now, new ServiceSet("/project", [Service("api") with { Restart = RestartPolicy.UnlessStopped, Replicas = 2 }])));

        Assert.Equal(1, driver.Starts("api"));
        Assert.All(driver.Engine.Status(), s => Assert.Equal(ServiceState.Stopped, s.State));
    }
}
