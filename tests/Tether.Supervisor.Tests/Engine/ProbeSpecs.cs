using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

public sealed class ProbeSpecs
{
    private static readonly ProbeDefinition Http = new()
    {
        Kind = ProbeKind.Http,
        Url = new Uri("http://user:secret@127.0.0.1:8000/health?token=abc"),
        Period = TimeSpan.FromSeconds(5),
        Timeout = TimeSpan.FromSeconds(1),
        InitialDelay = TimeSpan.FromSeconds(10),
        FailureThreshold = 3,
    };

    [Fact]
    public void A_polled_probe_runs_after_its_initial_delay_then_every_period_after_each_answer()
    {
        var driver = new EngineDriver(Service("web") with { Live = Http });
        driver.Started("web");

        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.RunProbe>());
        Assert.Equal(TimeSpan.FromSeconds(10), driver.Engine.NextDeadline);
        driver.RunUntil(TimeSpan.FromSeconds(10));
        Assert.Single(driver.Decisions.OfType<SupervisorDecision.RunProbe>());

        driver.Advance(TimeSpan.FromMilliseconds(300));
        driver.Probe("web", ProbeRole.Liveness, passed: true, "200 OK");
        Assert.Equal(TimeSpan.FromSeconds(15.3), driver.Engine.NextDeadline);
        driver.RunUntil(TimeSpan.FromSeconds(15.3));
        Assert.Equal(2, driver.Decisions.OfType<SupervisorDecision.RunProbe>().Count());
    }

    [Fact]
    public void A_liveness_probe_failing_past_its_threshold_stops_the_tree_and_the_restart_says_why()
    {
        var driver = new EngineDriver(Service("web") with { Live = Http with { InitialDelay = TimeSpan.Zero } });
        driver.Started("web");
        for (var i = 0; i < 2; i++)
        {
            driver.Probe("web", ProbeRole.Liveness, passed: false, "503");
            driver.RunUntil(driver.Now + TimeSpan.FromSeconds(5));
        }

        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.StopInstance>());
        driver.Probe("web", ProbeRole.Liveness, passed: false, "503");

        var health = Assert.Single(driver.Last.OfType<SupervisorDecision.HealthChanged>());
        Assert.Equal(Health.Failing, health.Health);
        Assert.Equal("http http://127.0.0.1:8000/health failed 3 times in a row: 503", health.Detail);
        var stop = Assert.Single(driver.Last.OfType<SupervisorDecision.StopInstance>());
        Assert.Equal(StopCause.LivenessFailed, stop.Cause);
        Assert.Equal(Signal.Terminate, stop.Signal);

        driver.Exited("web", ExitInfo.BySignal(Signal.Terminate));
        var restart = Assert.Single(driver.Last.OfType<SupervisorDecision.RestartScheduled>());
        Assert.Equal("liveness failed (http http://127.0.0.1:8000/health failed 3 times in a row: 503); signal SIGTERM", restart.Reason);
        Assert.DoesNotContain(driver.Decisions, d => d.ToString()!.Contains("secret", StringComparison.Ordinal) && d is not SupervisorDecision.RunProbe and not SupervisorDecision.StartInstance);
    }

    [Fact]
    public void A_probe_that_never_answers_counts_as_failed_and_its_late_answer_is_ignored()
    {
        var driver = new EngineDriver(Service("web") with { Ready = Http with { InitialDelay = TimeSpan.Zero, FailureThreshold = 1 } });
        driver.Started("web");
        var hung = driver.Decisions.OfType<SupervisorDecision.RunProbe>().Single();

        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(3)); // timeout 1 s: the backstop is 2 × timeout + 1 s
        Assert.Equal(Health.Failing, driver.Status("web").Health);
        Assert.Contains("no answer within 3s", driver.Status("web").Reason, StringComparison.Ordinal);

        driver.Feed(new SupervisorInput.ProbeCompleted(driver.Now, hung.Instance, hung.RunId, ProbeRole.Readiness, hung.ProbeId, true, "late"));
        Assert.Equal(ServiceState.Running, driver.State("web"));
    }

    [Fact]
    public void A_log_probe_makes_the_service_ready_on_the_first_matching_line_and_failures_inside_the_initial_delay_do_not_count()
    {
        var log = new ProbeDefinition { Kind = ProbeKind.Log, Pattern = "Serving" };
        var beat = new ProbeDefinition { Kind = ProbeKind.Heartbeat, Timeout = TimeSpan.FromSeconds(5), InitialDelay = TimeSpan.FromSeconds(30) };
        var driver = new EngineDriver(Service("web") with { Ready = log, Live = beat });
        driver.Started("web");
        var start = driver.LastStart("web");
        Assert.Empty(driver.Decisions.OfType<SupervisorDecision.RunProbe>());
        Assert.Null(driver.Engine.NextDeadline);

        driver.Feed(new SupervisorInput.ProbeCompleted(driver.Now, start.Instance, start.RunId, ProbeRole.Readiness, 0, true, "Serving HTTP on 0.0.0.0"));
        Assert.Equal(ServiceState.Ready, driver.State("web"));

        driver.Advance(TimeSpan.FromSeconds(10));
        driver.Feed(new SupervisorInput.ProbeCompleted(driver.Now, start.Instance, start.RunId, ProbeRole.Liveness, 0, false, "no beat for 5s"));
        Assert.Equal(ServiceState.Ready, driver.State("web"));

        driver.Advance(TimeSpan.FromSeconds(30));
        driver.Feed(new SupervisorInput.ProbeCompleted(driver.Now, start.Instance, start.RunId, ProbeRole.Liveness, 0, false, "no beat for 5s"));
        Assert.Equal(ServiceState.Stopping, driver.State("web"));
        Assert.Equal(StopCause.LivenessFailed, driver.Last.OfType<SupervisorDecision.StopInstance>().Single().Cause);
    }

    [Fact]
    public void Readiness_needs_its_success_threshold_of_consecutive_passes()
    {
        var driver = new EngineDriver(Service("web") with { Ready = Http with { InitialDelay = TimeSpan.Zero, SuccessThreshold = 2 } });
        driver.Started("web");
        driver.Probe("web", ProbeRole.Readiness, passed: true);
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(5));
        driver.Probe("web", ProbeRole.Readiness, passed: false, "refused");
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(5));
        driver.Probe("web", ProbeRole.Readiness, passed: true);
        Assert.Equal(ServiceState.Running, driver.State("web"));
        Assert.Contains("not ready yet", driver.Status("web").Reason, StringComparison.Ordinal);

        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(5));
        driver.Probe("web", ProbeRole.Readiness, passed: true, "200 OK");
        Assert.Equal(ServiceState.Ready, driver.State("web"));
        Assert.Equal("ready (http http://127.0.0.1:8000/health: 200 OK)", driver.Status("web").Reason);
    }
}
