using System.Globalization;

namespace Tether.Supervisor;

/// <summary>Readiness and liveness: when polled probes run, and what their verdicts change.</summary>
public sealed partial class SupervisorEngine
{
    private void DueProbe(InstanceEntry instance, ProbeRole role, ICollection<SupervisorDecision> decisions)
    {
        var probe = instance.Probe(role);
        if (!probe.Active || probe.Definition is not { IsPolled: true } definition)
        {
            return;
        }

        if (probe.InFlightId != 0)
        {
            if (probe.InFlightDeadline <= Now)
            {
                // The host bounds every check by its timeout; this is the backstop for a check that never answered.
                probe.InFlightId = 0;
                Verdict(instance, role, passed: false, $"no answer within {Durations.Format(probe.InFlightDeadline - probe.DueAt)}", decisions);
            }

            return;
        }

        if (probe.DueAt > Now)
        {
            return;
        }

        probe.InFlightId = ++_nextProbeId;
        probe.DueAt = Now;
        probe.InFlightDeadline = Now + definition.Timeout + definition.Timeout + TimeSpan.FromSeconds(1);
        decisions.Add(new SupervisorDecision.RunProbe(Now, instance.Id, instance.RunId, role, probe.InFlightId, definition));
    }

    private void OnProbeCompleted(SupervisorInput.ProbeCompleted result, ICollection<SupervisorDecision> decisions)
    {
        if (Current(result.Instance, result.RunId) is not { State: ServiceState.Running or ServiceState.Ready } instance)
        {
            return;
        }

        var probe = instance.Probe(result.Role);
        if (!probe.Active || probe.Definition is not { } definition)
        {
            return;
        }

        if (definition.IsPolled)
        {
            if (result.ProbeId != probe.InFlightId)
            {
                return; // the answer to a check already given up on
            }

            probe.InFlightId = 0;
            probe.DueAt = Now + definition.Period;
        }
        else if (result.ProbeId != 0)
        {
            return;
        }

        if (!result.Passed && Now < probe.ActiveFrom)
        {
            return; // failures inside the initial delay do not count
        }

        Verdict(instance, result.Role, result.Passed, result.Detail, decisions);
    }

    private void Verdict(InstanceEntry instance, ProbeRole role, bool passed, string detail, ICollection<SupervisorDecision> decisions)
    {
        var probe = instance.Probe(role);
        var definition = probe.Definition!;
        if (passed)
        {
            probe.Successes++;
            probe.Failures = 0;
            if (probe.Health != Health.Passing && probe.Successes >= definition.SuccessThreshold)
            {
                probe.Health = Health.Passing;
                decisions.Add(new SupervisorDecision.HealthChanged(Now, instance.Id, role, Health.Passing, detail));
                if (role == ProbeRole.Readiness && instance.State == ServiceState.Running)
                {
                    // Readiness gates the start; from here on the liveness probe watches.
                    probe.Deactivate();
                    ChangeState(instance, ServiceState.Ready, $"ready ({Describe(definition)}: {detail})", decisions);
                }
            }

            return;
        }

        probe.Failures++;
        probe.Successes = 0;
        // An observed probe reports a failure once per silence (a stall) — that report is the threshold.
        var threshold = definition.IsPolled ? definition.FailureThreshold : 1;
        if (probe.Failures < threshold || probe.Health == Health.Failing)
        {
            if (role == ProbeRole.Readiness && instance.State == ServiceState.Running)
            {
                instance.Reason = $"not ready yet ({Describe(definition)}: {detail})";
            }

            return;
        }

        probe.Health = Health.Failing;
        var words = $"{Describe(definition)} failed {Times(probe.Failures)}: {detail}";
        decisions.Add(new SupervisorDecision.HealthChanged(Now, instance.Id, role, Health.Failing, words));
        if (role == ProbeRole.Liveness)
        {
            instance.LivenessDetail = words;
            RequestStop(instance, StopCause.LivenessFailed, decisions);
        }
        else if (instance.State == ServiceState.Running)
        {
            instance.Reason = $"not ready ({words})";
        }
    }

    private static string Times(int count) => count == 1 ? "once" : count.ToString(CultureInfo.InvariantCulture) + " times in a row";

    /// <summary><c>tcp 127.0.0.1:8000</c>, <c>http http://…</c>, <c>exec pg_isready</c>, <c>log /Serving/</c>, <c>heartbeat</c>.</summary>
    internal static string Describe(ProbeDefinition probe) => probe.Kind switch
    {
        ProbeKind.Exec => "exec " + (probe.Command is { Count: > 0 } command ? command[0] : "?"),
        // Never the URL's user information or query: they may hold credentials.
        ProbeKind.Http => "http " + (probe.Url is { } url ? string.Create(CultureInfo.InvariantCulture, $"{url.Scheme}://{url.Host}:{url.Port}{url.AbsolutePath}") : "?"),
        ProbeKind.Tcp => string.Create(CultureInfo.InvariantCulture, $"tcp {probe.Host}:{probe.Port}"),
        ProbeKind.Log => $"log /{probe.Pattern}/",
        _ => "heartbeat",
    };
}
