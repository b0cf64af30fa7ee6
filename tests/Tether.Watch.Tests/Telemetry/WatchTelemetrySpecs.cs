using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Watch.Tests.Telemetry;

/// <summary>The watcher's decisions as spans and metrics, observed directly on a virtual clock.</summary>
public sealed class WatchTelemetrySpecs : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly ActivityListener _tracing;
    private readonly uint _pid = (uint)Random.Shared.Next(1 << 30, int.MaxValue);

    public WatchTelemetrySpecs()
    {
        _tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WatchTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("tether.watch.agent.pid"), (long)_pid))
                {
                    lock (_spans)
                    {
                        _spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_tracing);
    }

    [Fact]
    public void A_recovery_is_a_span_from_its_start_to_its_completion_with_its_exit_code()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var telemetry = new WatchTelemetry(clock);

        // Act
        telemetry.Observe(new WatchEvent.RecoveryStarted(TimeSpan.Zero, 7, _pid, 42));
        clock.Advance(TimeSpan.FromSeconds(2));
        telemetry.Observe(new WatchEvent.RecoveryCompleted(TimeSpan.Zero, 7, _pid, new RecoveryResult(new Outcome.Exited(1), null, TimeSpan.FromSeconds(2), 0, 0, false)));

        // Assert
        var span = Assert.Single(_spans);
        Assert.Equal(WatchTelemetry.RecoverySpan, span.DisplayName);
        Assert.Equal(TimeSpan.FromSeconds(2), span.Duration);
        Assert.Equal(1, span.GetTagItem("process.exit.code"));
        Assert.Equal("exited", span.GetTagItem("tether.watch.recovery.outcome"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }

    [Fact]
    public void Stalls_and_refused_recoveries_are_counted()
    {
        // Arrange
        var telemetry = new WatchTelemetry(VirtualClock.Create());
        long stalls = 0;
        var refusals = new List<string>();
        using var metering = new MeterListener();
        metering.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WatchTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        metering.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "tether.watch.stalls")
            {
                Interlocked.Add(ref stalls, value);
            }
            else if (instrument.Name == "tether.watch.recoveries")
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "tether.watch.reason")
                    {
                        lock (refusals)
                        {
                            refusals.Add((string)tag.Value!);
                        }
                    }
                }
            }
        });
        metering.Start();

        // Act
        telemetry.Observe(new WatchEvent.StallDetected(TimeSpan.Zero, _pid, TimeSpan.FromSeconds(5), BeatStatus.Ok, Origin.NetworkUnverified));
        telemetry.Observe(new WatchEvent.RecoveryRefused(TimeSpan.Zero, _pid, RecoveryRefusal.NetworkUnverified));

        // Assert: other specs may count at the same time, so at least these.
        Assert.True(Interlocked.Read(ref stalls) >= 1);
        lock (refusals)
        {
            Assert.Contains("network_unverified", refusals);
        }
    }

    public void Dispose() => _tracing.Dispose();
}
