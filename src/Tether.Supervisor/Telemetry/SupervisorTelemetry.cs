using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Supervisor;

/// <summary>
/// Turns the supervisor engine's decisions into traces and metrics on one <see cref="ActivitySource"/> and one
/// <see cref="Meter"/>, both named <see cref="Name"/>. Each start of an instance is a span — <c>tether.supervisor.start</c>
/// for the first, <c>tether.supervisor.restart</c> after a scheduled restart — from the engine's request to the instance
/// leaving <see cref="ServiceState.Starting"/> (an error when it did not reach running or ready). The meter counts
/// starts, restarts by reason (<c>exit</c>, <c>signal</c>, <c>out_of_memory</c>, <c>liveness_failed</c>,
/// <c>start_failed</c>), give-ups and state changes.
/// </summary>
/// <remarks>
/// The supervisor's loop feeds it every decision, in order; a host of its own around a <see cref="SupervisorEngine"/>
/// can do the same. Not thread-safe: one loop observes. Spans carry the service's name and the program's file name,
/// never its arguments or environment. Nothing is measured while nobody listens.
/// </remarks>
public sealed class SupervisorTelemetry
{
    /// <summary>The name of the supervisor's activity source and meter.</summary>
    public const string Name = "Tether.Supervisor";

    /// <summary>The span of an instance's first start.</summary>
    public const string StartSpan = "tether.supervisor.start";

    /// <summary>The span of an instance's start after a scheduled restart.</summary>
    public const string RestartSpan = "tether.supervisor.restart";

    private const string Version = "1.0";

    private static readonly ActivitySource Source = new(Name, Version);
    private static readonly Meter Meter = new(Name, Version);
    private static readonly Counter<long> Starts = Meter.CreateCounter<long>("tether.supervisor.starts", "{start}", "Instances the supervisor started (first starts and restarts).");
    private static readonly Counter<long> Restarts = Meter.CreateCounter<long>("tether.supervisor.restarts", "{restart}", "Restarts the supervisor scheduled, by reason.");
    private static readonly Counter<long> GiveUps = Meter.CreateCounter<long>("tether.supervisor.gave_up", "{instance}", "Times the supervisor gave up on an instance (start limit reached).");
    private static readonly Counter<long> StateChanges = Meter.CreateCounter<long>("tether.supervisor.state_changes", "{change}", "Instance state changes, by the state entered.");

    private readonly TimeProvider _time;
    private readonly Dictionary<InstanceId, Activity> _starting = [];
    private readonly HashSet<InstanceId> _restarting = [];

    /// <summary>Creates an observer whose span times come from <paramref name="time"/>.</summary>
    public SupervisorTelemetry(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Takes one decision of the engine into account.</summary>
    public void Observe(SupervisorDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        switch (decision)
        {
            case SupervisorDecision.StartInstance start:
                Started(start);
                break;
            case SupervisorDecision.RestartScheduled restart:
                _restarting.Add(restart.Instance);
                if (Restarts.Enabled)
                {
                    Restarts.Add(1, Service(restart.Instance), new KeyValuePair<string, object?>("tether.supervisor.restart.reason", RestartReason(restart.Reason)));
                }

                break;
            case SupervisorDecision.GaveUp gaveUp:
                _restarting.Remove(gaveUp.Instance);
                if (GiveUps.Enabled)
                {
                    GiveUps.Add(1, Service(gaveUp.Instance));
                }

                break;
            case SupervisorDecision.StateChanged changed:
                if (StateChanges.Enabled)
                {
                    StateChanges.Add(1, Service(changed.Instance), new KeyValuePair<string, object?>("tether.supervisor.state", StateName(changed.To)));
                }

                if (changed.From == ServiceState.Starting)
                {
                    var ok = changed.To is ServiceState.Running or ServiceState.Ready;
                    End(changed.Instance, ok ? null : StateName(changed.To));
                }

                break;
            case SupervisorDecision.InstanceRemoved removed:
                _restarting.Remove(removed.Instance);
                End(removed.Instance, "removed");
                break;
            case SupervisorDecision.ShutdownCompleted:
                foreach (var instance in _starting.Keys.ToList())
                {
                    End(instance, "shutdown");
                }

                _restarting.Clear();
                break;
        }
    }

    /// <summary>A bounded name for the reason a restart was scheduled, for a metric's attribute (the engine's reason is free text).</summary>
    internal static string RestartReason(string reason) =>
        reason.StartsWith("liveness failed", StringComparison.Ordinal) ? "liveness_failed"
        : reason.StartsWith("could not start", StringComparison.Ordinal) ? "start_failed"
        : reason.StartsWith("killed for memory", StringComparison.Ordinal) ? "out_of_memory"
        : reason.StartsWith("signal", StringComparison.Ordinal) ? "signal"
        : reason.StartsWith("exit", StringComparison.Ordinal) ? "exit"
        : "other";

    private void Started(SupervisorDecision.StartInstance start)
    {
        var restart = _restarting.Remove(start.Instance);
        if (Starts.Enabled)
        {
            Starts.Add(1, Service(start.Instance), new KeyValuePair<string, object?>("tether.supervisor.restart", restart));
        }

        // A start that replaces one still open (its news never came) ends the older span first.
        End(start.Instance, "superseded");
        if (!Source.HasListeners())
        {
            return;
        }

        var activity = Source.StartActivity(restart ? RestartSpan : StartSpan, ActivityKind.Internal);
        if (activity is null)
        {
            return;
        }

        // The span stays open across the supervisor's loop; later work on the loop is not its child.
        Activity.Current = activity.Parent;
        activity.SetStartTime(_time.GetUtcNow().UtcDateTime);
        activity.SetTag("tether.service.name", start.Instance.Service);
        activity.SetTag("tether.service.instance", start.Instance.Index);
        activity.SetTag("tether.supervisor.run_id", start.RunId);
        activity.SetTag("process.executable.name", ExecutableName(start.Service.Command));
        _starting[start.Instance] = activity;
    }

    private void End(InstanceId instance, string? error)
    {
        if (!_starting.Remove(instance, out var activity))
        {
            return;
        }

        if (error is not null)
        {
            activity.SetTag("tether.supervisor.start.outcome", error);
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
        else
        {
            activity.SetTag("tether.supervisor.start.outcome", "started");
        }

        activity.SetEndTime(_time.GetUtcNow().UtcDateTime);
        activity.Stop();
    }

    private static KeyValuePair<string, object?> Service(InstanceId instance) => new("tether.service.name", instance.Service);

    private static string ExecutableName(ServiceCommand command) => command switch
    {
        ServiceCommand.Exec { Arguments.Count: > 0 } exec => Path.GetFileName(exec.Arguments[0]),
        ServiceCommand.Shell => "sh",
        _ => "",
    };

    private static string StateName(ServiceState state) => state switch
    {
        ServiceState.Waiting => "waiting",
        ServiceState.Starting => "starting",
        ServiceState.Running => "running",
        ServiceState.Ready => "ready",
        ServiceState.Stopping => "stopping",
        ServiceState.Restarting => "restarting",
        ServiceState.Completed => "completed",
        ServiceState.Exited => "exited",
        ServiceState.Failed => "failed",
        ServiceState.Stopped => "stopped",
        _ => "other",
    };
}
