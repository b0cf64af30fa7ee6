using static Tether.Supervisor.Tests.Runtime.SupervisedProject;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>
/// The totals behind <c>/metrics</c> on real processes: restarts by reason, probe verdicts, the time polled checks
/// take, and the bytes each service wrote to its log.
/// </summary>
public sealed class RuntimeMetricsSpecs
{
    [Fact]
    public async Task Restarts_by_reason_probe_verdicts_check_durations_and_log_bytes_reach_the_metrics()
    {
        await using var project = await StartAsync(
            Shell("crasher", "echo 0123456789; exit 3") with { StartLimit = new StartLimit(2, TimeSpan.FromMinutes(1)) },
            Shell("web", "exec sleep 300") with
            {
                Ready = new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["true"], Period = TimeSpan.FromMilliseconds(100) },
                Live = new ProbeDefinition { Kind = ProbeKind.Exec, Command = ["false"], Period = TimeSpan.FromMilliseconds(100), FailureThreshold = 1000 },
            });

        await project.WaitForStateAsync("crasher", ServiceState.Failed);
        await project.WaitForStateAsync("web", ServiceState.Ready);
        await project.WaitUntilAsync(
            () => project.Supervisor.Status().Counts.ProbeResults.GetValueOrDefault(("web", "liveness", "fail")) >= 2,
            "the liveness probe failed at least twice");
        await project.WaitUntilAsync(() => project.Supervisor.Status().LogBytes.GetValueOrDefault("crasher") == 33, "three lines of 11 bytes reached the log");

        var status = project.Supervisor.Status();
        Assert.Equal(2, status.Counts.Restarts[("crasher", "exit")]);
        Assert.Equal(1, status.Counts.ProbeResults[("web", "readiness", "pass")]);
        var (count, total) = status.Counts.ProbeDurations[("web", "liveness")];
        Assert.True(count >= 2 && total > TimeSpan.Zero, $"{count} checks in {total}");

        var metrics = SupervisorMetrics.Render(status).Split('\n');
        Assert.Contains("tether_service_restarts_by_reason_total{service=\"crasher\",reason=\"exit\"} 2", metrics);
        Assert.Contains("tether_probe_results_total{service=\"web\",probe=\"readiness\",result=\"pass\"} 1", metrics);
        Assert.Contains("tether_service_log_bytes_total{service=\"crasher\"} 33", metrics);
        Assert.Contains(metrics, line => line.StartsWith("tether_probe_duration_seconds_count{service=\"web\",probe=\"liveness\"} ", StringComparison.Ordinal));
        Assert.Contains("# TYPE tether_probe_duration_seconds summary", metrics);
        Assert.Equal(0, await project.ShutdownAsync());
    }

    [Fact]
    public void A_check_that_is_never_answered_is_forgotten_once_too_many_wait()
    {
        var counter = new SupervisorCounter();
        var web = new InstanceId("web", 0);
        var probe = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = 1 };
        for (var id = 1; id <= SupervisorCounter.MaxPending + 10; id++)
        {
            counter.Observe(new SupervisorDecision.RunProbe(TimeSpan.FromSeconds(id), web, 1, ProbeRole.Liveness, id, probe));
        }

        counter.Observe(new SupervisorInput.ProbeCompleted(TimeSpan.FromSeconds(5000), web, 1, ProbeRole.Liveness, SupervisorCounter.MaxPending + 10, true, "ok"));
        counter.Observe(new SupervisorInput.ProbeCompleted(TimeSpan.FromSeconds(5000), web, 1, ProbeRole.Liveness, 3, true, "late"));

        var counts = counter.Snapshot();
        Assert.Equal(2, counts.ProbeResults[("web", "liveness", "pass")]);
        Assert.Equal((1, TimeSpan.FromSeconds(5000 - (SupervisorCounter.MaxPending + 10))), counts.ProbeDurations[("web", "liveness")]);
    }
}
