using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// Answers "why was service S restarted, stopped or given up?" from a trace: it replays the engine and, for every input
/// that changed something about one of the service's instances, writes the input and the decisions it led to, with the
/// reasons the engine gave (<c>#12 t=840ms exited web#0 run=3 (exit 1) → state running -> restarting (exit 1);
/// restart_scheduled web#0 delay=400ms …</c>).
/// </summary>
internal static class SupervisorExplainer
{
    public static IReadOnlyList<string> Explain(SupervisorTrace trace, IReadOnlyList<TraceFile> files, string service)
    {
        TraceReplayer.Check(trace, files);
        var replay = trace.CreateSupervisorEngine(files[0].Header);
        var codec = trace.CreateCodec();
        var lines = new List<string>();
        var about = new List<string>();
        var starts = 0;
        foreach (var file in files)
        {
            foreach (var record in file.Events(codec))
            {
                replay.Handle(record.Input);
                about.Clear();
                foreach (var decision in replay.Decisions)
                {
                    if (!Concerns(decision, service))
                    {
                        continue;
                    }

                    if (decision is SupervisorDecision.StartInstance)
                    {
                        starts++;
                    }

                    if (decision is not SupervisorDecision.RunProbe)
                    {
                        about.Add(SupervisorDecisions.Describe(decision));
                    }
                }

                if (about.Count > 0)
                {
                    lines.Add($"#{record.Index} {trace.Describe(record.Input)} → {string.Join("; ", about)}");
                }
            }
        }

        if (lines.Count == 0)
        {
            lines.Add($"service {service}: the trace has no decision about this service.");
        }
        else
        {
            lines.Add($"service {service}: {starts} starts in the trace.");
        }

        return lines;
    }

    private static bool Concerns(SupervisorDecision decision, string service)
    {
        InstanceId? instance = decision switch
        {
            SupervisorDecision.StartInstance d => d.Instance,
            SupervisorDecision.StopInstance d => d.Instance,
            SupervisorDecision.KillInstance d => d.Instance,
            SupervisorDecision.RunProbe d => d.Instance,
            SupervisorDecision.StateChanged d => d.Instance,
            SupervisorDecision.RestartScheduled d => d.Instance,
            SupervisorDecision.GaveUp d => d.Instance,
            SupervisorDecision.HealthChanged d => d.Instance,
            SupervisorDecision.InstanceRemoved d => d.Instance,
            _ => null,
        };
        return instance is { } id && string.Equals(id.Service, service, StringComparison.Ordinal);
    }
}
