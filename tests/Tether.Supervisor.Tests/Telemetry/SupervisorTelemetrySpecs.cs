using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Supervisor.Tests.Telemetry;

/// <summary>The supervisor's decisions as spans and metrics, observed directly on a virtual clock.</summary>
public sealed class SupervisorTelemetrySpecs : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly List<(string Instrument, long Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly ActivityListener _tracing;
    private readonly MeterListener _metering = new();
    private readonly string _service = "svc-" + Guid.NewGuid().ToString("N")[..8];

    public SupervisorTelemetrySpecs()
    {
        _tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SupervisorTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("tether.service.name"), _service))
                {
                    lock (_spans)
                    {
                        _spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_tracing);
        _metering.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SupervisorTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _metering.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            if (Equals(copy.GetValueOrDefault("tether.service.name"), _service))
            {
                lock (_measurements)
                {
                    _measurements.Add((instrument.Name, value, copy));
                }
            }
        });
        _metering.Start();
    }

    [Fact]
    public void A_start_is_a_span_from_the_request_to_running_and_a_restart_is_its_own_span()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var telemetry = new SupervisorTelemetry(clock);
        var id = new InstanceId(_service, 0);
        var service = new ServiceDefinition { Name = _service, Command = new ServiceCommand.Exec(["/usr/bin/worker", "--password", "hunter2"]) };

        // Act
        telemetry.Observe(new SupervisorDecision.StartInstance(TimeSpan.Zero, id, 1, service));
        clock.Advance(TimeSpan.FromMilliseconds(250));
        telemetry.Observe(new SupervisorDecision.StateChanged(TimeSpan.Zero, id, ServiceState.Starting, ServiceState.Ready, "started as pid 10"));
        telemetry.Observe(new SupervisorDecision.RestartScheduled(TimeSpan.Zero, id, TimeSpan.FromSeconds(1), 1, 1, "exit 1"));
        telemetry.Observe(new SupervisorDecision.StartInstance(TimeSpan.Zero, id, 2, service));
        clock.Advance(TimeSpan.FromMilliseconds(100));
        telemetry.Observe(new SupervisorDecision.StateChanged(TimeSpan.Zero, id, ServiceState.Starting, ServiceState.Restarting, "could not start: not found"));

        // Assert
        Assert.Equal(2, _spans.Count);
        Assert.Equal(SupervisorTelemetry.StartSpan, _spans[0].DisplayName);
        Assert.Equal(TimeSpan.FromMilliseconds(250), _spans[0].Duration);
        Assert.Equal("worker", _spans[0].GetTagItem("process.executable.name"));
        Assert.Equal(ActivityStatusCode.Unset, _spans[0].Status);
        Assert.Equal(SupervisorTelemetry.RestartSpan, _spans[1].DisplayName);
        Assert.Equal(TimeSpan.FromMilliseconds(100), _spans[1].Duration);
        Assert.Equal(ActivityStatusCode.Error, _spans[1].Status);
        Assert.Equal(2L, _spans[1].GetTagItem("tether.supervisor.run_id"));
        Assert.DoesNotContain(_spans.SelectMany(s => s.TagObjects), t => t.Value?.ToString()?.Contains("hunter2", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("exit 1", "exit")]
    [InlineData("signal SIGSEGV", "signal")]
    [InlineData("killed for memory (SIGKILL)", "out_of_memory")]
    [InlineData("liveness failed (http 500); signal SIGTERM", "liveness_failed")]
    [InlineData("could not start: program 'x' not found", "start_failed")]
    public void Restarts_are_counted_by_a_bounded_reason(string reason, string expected)
    {
        // Arrange
        var telemetry = new SupervisorTelemetry(VirtualClock.Create());
        var id = new InstanceId(_service, 0);

        // Act
        telemetry.Observe(new SupervisorDecision.RestartScheduled(TimeSpan.Zero, id, TimeSpan.FromSeconds(1), 1, 1, reason));
        telemetry.Observe(new SupervisorDecision.GaveUp(TimeSpan.Zero, id, reason, null));

        // Assert
        var restart = Assert.Single(_measurements, m => m.Instrument == "tether.supervisor.restarts");
        Assert.Equal(expected, restart.Tags["tether.supervisor.restart.reason"]);
        Assert.Single(_measurements, m => m.Instrument == "tether.supervisor.gave_up");
    }

    [Fact]
    public void A_start_still_open_at_shutdown_ends_as_an_error()
    {
        // Arrange
        var telemetry = new SupervisorTelemetry(VirtualClock.Create());
        var service = new ServiceDefinition { Name = _service, Command = new ServiceCommand.Shell("sleep 1") };

        // Act
        telemetry.Observe(new SupervisorDecision.StartInstance(TimeSpan.Zero, new InstanceId(_service, 0), 1, service));
        telemetry.Observe(new SupervisorDecision.ShutdownCompleted(TimeSpan.Zero));

        // Assert
        var span = Assert.Single(_spans);
        Assert.Equal("shutdown", span.GetTagItem("tether.supervisor.start.outcome"));
        Assert.Equal("sh", span.GetTagItem("process.executable.name"));
    }

    public void Dispose()
    {
        _tracing.Dispose();
        _metering.Dispose();
    }
}
