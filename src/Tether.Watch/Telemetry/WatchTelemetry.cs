using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Watch;

/// <summary>
/// Turns a watcher's decisions (<see cref="WatchEvent"/>s) into traces and metrics on one <see cref="ActivitySource"/>
/// and one <see cref="Meter"/>, both named <see cref="Name"/>: a span per recovery, <c>tether.watch.recovery</c>, from
/// its start to its completion (with its outcome and exit code), and counters of accepted and dropped beats, stalls and
/// recoveries (by result). The <see cref="Watcher"/> feeds it every decision; a loop of your own around a
/// <see cref="WatchEngine"/> can do the same.
/// </summary>
/// <remarks>
/// Not thread-safe: one loop observes. Nothing is measured while nobody listens. At most
/// <see cref="MaxOpenRecoveries"/> recovery spans are open at once; a recovery past that is counted but not traced.
/// </remarks>
public sealed class WatchTelemetry
{
    /// <summary>The name of the watcher's activity source and meter.</summary>
    public const string Name = "Tether.Watch";

    /// <summary>The span of one recovery command's run.</summary>
    public const string RecoverySpan = "tether.watch.recovery";

    /// <summary>How many recovery spans may be open at once.</summary>
    public const int MaxOpenRecoveries = 1024;

    private const string Version = "1.0";

    private static readonly ActivitySource Source = new(Name, Version);
    private static readonly Meter Meter = new(Name, Version);
    private static readonly Counter<long> Beats = Meter.CreateCounter<long>("tether.watch.beats", "{beat}", "Heartbeats accepted.");
    private static readonly Counter<long> DroppedBeats = Meter.CreateCounter<long>("tether.watch.beats.dropped", "{beat}", "Heartbeats dropped, by reason.");
    private static readonly Counter<long> Stalls = Meter.CreateCounter<long>("tether.watch.stalls", "{stall}", "Stalls detected.");
    private static readonly Counter<long> Recoveries = Meter.CreateCounter<long>("tether.watch.recoveries", "{recovery}", "Recoveries, by result: started, refused, or how they ended.");

    private readonly TimeProvider _time;
    private readonly Dictionary<long, Activity> _recoveries = [];

    /// <summary>Creates an observer whose span times come from <paramref name="time"/>.</summary>
    public WatchTelemetry(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Takes one decision of the engine into account.</summary>
    public void Observe(WatchEvent decision)
    {
        switch (decision)
        {
            case WatchEvent.BeatAccepted:
                Beats.Add(1);
                break;
            case WatchEvent.BeatDropped dropped when DroppedBeats.Enabled:
                DroppedBeats.Add(1, new KeyValuePair<string, object?>("tether.watch.reason", SnakeCaseNames.Of(dropped.Reason)));
                break;
            case WatchEvent.StallDetected:
                Stalls.Add(1);
                break;
            case WatchEvent.RecoveryRefused refused when Recoveries.Enabled:
                Recoveries.Add(1, new KeyValuePair<string, object?>("tether.watch.result", "refused"), new KeyValuePair<string, object?>("tether.watch.reason", SnakeCaseNames.Of(refused.Reason)));
                break;
            case WatchEvent.RecoveryStarted started:
                RecoveryStarted(started);
                break;
            case WatchEvent.RecoveryCompleted completed:
                RecoveryCompleted(completed);
                break;
        }
    }

    private void RecoveryStarted(WatchEvent.RecoveryStarted started)
    {
        if (Recoveries.Enabled)
        {
            Recoveries.Add(1, new KeyValuePair<string, object?>("tether.watch.result", "started"));
        }

        if (!Source.HasListeners() || _recoveries.Count >= MaxOpenRecoveries)
        {
            return;
        }

        var activity = Source.StartActivity(RecoverySpan, ActivityKind.Internal);
        if (activity is null)
        {
            return;
        }

        // The span stays open across the watcher's loop; later work on the loop is not its child.
        Activity.Current = activity.Parent;
        activity.SetStartTime(_time.GetUtcNow().UtcDateTime);
        activity.SetTag("tether.watch.recovery.id", started.RecoveryId);
        activity.SetTag("tether.watch.agent.pid", (long)started.Pid);
        _recoveries[started.RecoveryId] = activity;
    }

    private void RecoveryCompleted(WatchEvent.RecoveryCompleted completed)
    {
        var result = completed.Result;
        if (Recoveries.Enabled)
        {
            Recoveries.Add(1, new KeyValuePair<string, object?>("tether.watch.result", result.Kind));
        }

        if (!_recoveries.Remove(completed.RecoveryId, out var activity))
        {
            return;
        }

        activity.SetTag("tether.watch.recovery.outcome", result.Kind);
        if (result.Outcome is Outcome.Exited exited)
        {
            activity.SetTag("process.exit.code", exited.Code);
        }

        if (result.Outcome is not Outcome.Exited { Code: 0 })
        {
            activity.SetStatus(ActivityStatusCode.Error, result.Kind);
        }

        activity.SetEndTime(_time.GetUtcNow().UtcDateTime);
        activity.Stop();
    }
}
