using static Tether.Supervisor.Tests.Engine.EngineDriver;

namespace Tether.Supervisor.Tests.Engine;

public sealed class RestartSpecs
{
    [Fact]
    public void Backoff_grows_exponentially_up_to_its_maximum_and_says_why_in_the_reason()
    {
        var driver = new EngineDriver(Service("api") with { StartLimit = new StartLimit(100, TimeSpan.FromMinutes(1)) });
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            driver.Started("api");
            driver.Exited("api", ExitInfo.Code(1));
            delays.Add(driver.Last.OfType<SupervisorDecision.RestartScheduled>().Single().Delay);
            driver.RunUntil(driver.Now + delays[^1]);
        }

        Assert.Equal([200, 400, 800, 1600, 3200, 5000, 5000], delays.Select(d => (int)d.TotalMilliseconds));
        Assert.Equal(ServiceState.Starting, driver.State("api"));
        var restarting = driver.Decisions.OfType<SupervisorDecision.StateChanged>().Last(s => s.To == ServiceState.Restarting);
        Assert.Equal("exit 1; restart 7 in 5s (7 restarts within 1m, limit 100)", restarting.Reason);
    }

    [Fact]
    public void A_stable_run_resets_the_backoff()
    {
        var driver = new EngineDriver(Service("api"));
        driver.Started("api");
        driver.Exited("api", ExitInfo.Code(1));
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(1));
        driver.Started("api");
        driver.Exited("api", ExitInfo.Code(1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), driver.Last.OfType<SupervisorDecision.RestartScheduled>().Single().Delay);
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(1));

        driver.Started("api");
        driver.Advance(TimeSpan.FromSeconds(31)); // reset_after is 30 s
        driver.Exited("api", ExitInfo.BySignal(Signal.Kill));

        var scheduled = driver.Last.OfType<SupervisorDecision.RestartScheduled>().Single();
        Assert.Equal(TimeSpan.FromMilliseconds(200), scheduled.Delay);
        Assert.Equal("signal SIGKILL", scheduled.Reason);
    }

    [Fact]
    public void Jitter_comes_from_the_seed_so_the_same_seed_gives_the_same_delays_and_each_stays_within_its_bounds()
    {
        static List<TimeSpan> Delays(ulong seed)
        {
            var service = Service("api") with
            {
                Backoff = new RestartBackoff(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(8), 0.5, TimeSpan.FromMinutes(1)),
                StartLimit = new StartLimit(100, TimeSpan.FromMinutes(1)),
            };
            var driver = new EngineDriver(seed, service);
            for (var i = 0; i < 6; i++)
            {
                driver.Started("api");
                driver.Exited("api", ExitInfo.Code(1));
                driver.RunUntil(driver.Now + TimeSpan.FromSeconds(10));
            }

            return [.. driver.Decisions.OfType<SupervisorDecision.RestartScheduled>().Select(r => r.Delay)];
        }

        var first = Delays(42);
        Assert.Equal(first, Delays(42));
        Assert.NotEqual(first, Delays(43));
        double[] ceilings = [1, 2, 4, 8, 8, 8];
        for (var i = 0; i < first.Count; i++)
        {
            Assert.InRange(first[i].TotalSeconds, ceilings[i] * 0.5, ceilings[i]);
        }
    }

    [Fact]
    public void Past_the_start_limit_the_service_is_given_up_loudly_and_waits_for_the_operator()
    {
        var driver = new EngineDriver(Service("api") with { StartLimit = new StartLimit(3, TimeSpan.FromMinutes(1)) });
        for (var i = 0; i < 4; i++)
        {
            driver.Started("api");
            driver.Exited("api", ExitInfo.Code(2));
            driver.RunUntil(driver.Now + TimeSpan.FromSeconds(2));
        }

        var gaveUp = Assert.Single(driver.Decisions.OfType<SupervisorDecision.GaveUp>());
        Assert.Equal("exit 2; gave up after 3 restarts within 1m (start_limit); start it with `tether start api`", gaveUp.Reason);
        Assert.Null(gaveUp.RetryAt);
        Assert.Equal(ServiceState.Failed, driver.State("api"));
        Assert.Null(driver.Engine.NextDeadline);
        driver.RunUntil(driver.Now + TimeSpan.FromHours(1));
        Assert.Equal(4, driver.Starts("api"));

        driver.Feed(new SupervisorInput.Operator(driver.Now, OperatorAction.Start, "api"));
        Assert.Equal(5, driver.Starts("api"));
    }

    [Fact]
    public void With_retry_after_a_failed_service_is_tried_again_with_a_fresh_count()
    {
        var driver = new EngineDriver(Service("api") with { StartLimit = new StartLimit(1, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)) });
        driver.Started("api");
        driver.Exited("api", ExitInfo.Code(1));
        driver.RunUntil(driver.Now + TimeSpan.FromSeconds(1));
        driver.Started("api");
        driver.Exited("api", ExitInfo.Code(1));

        var gaveUp = Assert.Single(driver.Last.OfType<SupervisorDecision.GaveUp>());
        Assert.Equal(driver.Now + TimeSpan.FromMinutes(5), gaveUp.RetryAt);
        Assert.EndsWith("; trying again in 5m", gaveUp.Reason, StringComparison.Ordinal);
        Assert.Equal(driver.Now + TimeSpan.FromMinutes(5), driver.Engine.NextDeadline);

        driver.RunUntil(driver.Now + TimeSpan.FromMinutes(5));
        Assert.Equal(3, driver.Starts("api"));
        driver.Started("api");
        driver.Exited("api", ExitInfo.Code(1));
        Assert.Single(driver.Last.OfType<SupervisorDecision.RestartScheduled>());
    }

    [Theory]
    [InlineData(RestartPolicy.No, 0, ServiceState.Completed)]
    [InlineData(RestartPolicy.No, 1, ServiceState.Exited)]
    [InlineData(RestartPolicy.OnFailure, 0, ServiceState.Completed)]
    [InlineData(RestartPolicy.OnFailure, 1, ServiceState.Restarting)]
    [InlineData(RestartPolicy.OnFailure, 3, ServiceState.Completed)]
    [InlineData(RestartPolicy.Always, 0, ServiceState.Restarting)]
    [InlineData(RestartPolicy.UnlessStopped, 0, ServiceState.Restarting)]
    public void The_restart_policy_and_the_ok_exit_codes_decide_whether_an_exit_restarts(RestartPolicy policy, int code, ServiceState expected)
    {
        var driver = new EngineDriver(Service("job") with { Restart = policy, OkExitCodes = [0, 3] });
        driver.Started("job");
        driver.Exited("job", ExitInfo.Code(code));

        Assert.Equal(expected, driver.State("job"));
    }

    [Fact]
    public void A_program_that_cannot_start_is_retried_like_a_crash_and_given_up_with_the_reason()
    {
        var driver = new EngineDriver(Service("api") with { StartLimit = new StartLimit(2, TimeSpan.FromMinutes(1)) });
        for (var i = 0; i < 3; i++)
        {
            var start = driver.LastStart("api");
            driver.Feed(new SupervisorInput.StartFailed(driver.Now, start.Instance, start.RunId, "program not found: apii"));
            driver.RunUntil(driver.Now + TimeSpan.FromSeconds(2));
        }

        Assert.Equal(ServiceState.Failed, driver.State("api"));
        Assert.StartsWith("could not start: program not found: apii; gave up after 2 restarts", driver.Status("api").Reason, StringComparison.Ordinal);
    }
}
