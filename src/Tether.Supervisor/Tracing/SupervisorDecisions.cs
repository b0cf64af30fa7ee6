using System.Runtime.InteropServices;
using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// The hash of the decisions one input caused, as a trace records it, and their one-line descriptions. The hash takes
/// every structured field of every decision in order — kind, time, instance, run and probe ids, states, signals, delays,
/// counts — with no allocation. Reasons and probe details are left out: they are built from texts a trace stores
/// redacted, and the fields they explain are hashed already.
/// </summary>
public static class SupervisorDecisions
{
    /// <summary>The hash of <paramref name="decisions"/>.</summary>
    public static ulong Hash(IReadOnlyList<SupervisorDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        var hash = DecisionHash.Empty;
        for (var i = 0; i < decisions.Count; i++)
        {
            hash = Add(hash, decisions[i]);
        }

        return hash;
    }

    /// <summary>One line describing <paramref name="decision"/>, e.g. <c>t=1200ms restart_scheduled web#0 delay=400ms (exit 1)</c>.</summary>
    public static string Describe(SupervisorDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var at = $"t={SupervisorTrace.Ms(decision.At)}ms";
        return decision switch
        {
            SupervisorDecision.StartInstance s => $"{at} start {s.Instance} run={s.RunId}",
            SupervisorDecision.StopInstance s => $"{at} stop {s.Instance} run={s.RunId} signal={s.Signal} grace={SupervisorTrace.Ms(s.Grace)}ms cause={Words(s.Cause)}",
            SupervisorDecision.KillInstance k => $"{at} kill {k.Instance} run={k.RunId}",
            SupervisorDecision.RunProbe p => $"{at} run_probe {p.Instance} run={p.RunId} {Words(p.Role)} probe={p.ProbeId}",
            SupervisorDecision.StateChanged c => $"{at} state {c.Instance} {Words(c.From)} -> {Words(c.To)} ({c.Reason})",
            SupervisorDecision.RestartScheduled r => $"{at} restart_scheduled {r.Instance} delay={SupervisorTrace.Ms(r.Delay)}ms restart={r.Restart} recent={r.RecentRestarts} ({r.Reason})",
            SupervisorDecision.GaveUp g => $"{at} gave_up {g.Instance} ({g.Reason}){(g.RetryAt is { } retry ? $" retry at t={SupervisorTrace.Ms(retry)}ms" : "")}",
            SupervisorDecision.HealthChanged h => $"{at} health {h.Instance} {Words(h.Role)} {Words(h.Health)} ({h.Detail})",
            SupervisorDecision.InstanceRemoved r => $"{at} removed {r.Instance}",
            SupervisorDecision.AllReady => $"{at} all_ready",
            SupervisorDecision.ShutdownCompleted => $"{at} shutdown_completed",
            _ => $"{at} {decision.GetType().Name}",
        };
    }

    private static ulong Add(ulong h, SupervisorDecision d)
    {
        h = DecisionHash.Add(h, d.At.Ticks);
        switch (d)
        {
            case SupervisorDecision.StartInstance s:
                return DecisionHash.Add(AddInstance(DecisionHash.Add(h, 1UL), s.Instance), s.RunId);
            case SupervisorDecision.StopInstance s:
                h = AddInstance(DecisionHash.Add(h, 2UL), s.Instance);
                h = DecisionHash.Add(h, s.RunId);
                h = DecisionHash.Add(h, (uint)s.Signal.Number | ((ulong)s.Cause << 8));
                return DecisionHash.Add(h, s.Grace.Ticks);
            case SupervisorDecision.KillInstance k:
                return DecisionHash.Add(AddInstance(DecisionHash.Add(h, 3UL), k.Instance), k.RunId);
            case SupervisorDecision.RunProbe p:
                h = AddInstance(DecisionHash.Add(h, 4UL), p.Instance);
                h = DecisionHash.Add(h, p.RunId);
                return DecisionHash.Add(h, ((ulong)p.ProbeId << 1) | (ulong)p.Role);
            case SupervisorDecision.StateChanged c:
                return DecisionHash.Add(AddInstance(DecisionHash.Add(h, 5UL), c.Instance), (ulong)c.From | ((ulong)c.To << 8));
            case SupervisorDecision.RestartScheduled r:
                h = AddInstance(DecisionHash.Add(h, 6UL), r.Instance);
                h = DecisionHash.Add(h, r.Delay.Ticks);
                return DecisionHash.Add(h, (ulong)(uint)r.Restart | ((ulong)(uint)r.RecentRestarts << 32));
            case SupervisorDecision.GaveUp g:
                return DecisionHash.Add(AddInstance(DecisionHash.Add(h, 7UL), g.Instance), g.RetryAt is { } retry ? retry.Ticks : -1);
            case SupervisorDecision.HealthChanged c:
                return DecisionHash.Add(AddInstance(DecisionHash.Add(h, 8UL), c.Instance), (ulong)c.Role | ((ulong)c.Health << 8));
            case SupervisorDecision.InstanceRemoved r:
                return AddInstance(DecisionHash.Add(h, 9UL), r.Instance);
            case SupervisorDecision.AllReady:
                return DecisionHash.Add(h, 10UL);
            case SupervisorDecision.ShutdownCompleted:
                return DecisionHash.Add(h, 11UL);
            default:
                return DecisionHash.Add(h, 99UL);
        }
    }

    private static ulong AddInstance(ulong h, InstanceId instance)
    {
        var name = instance.Service;
        h = DecisionHash.Add(h, ((ulong)(uint)name.Length << 32) | (uint)instance.Index);
        foreach (var word in MemoryMarshal.Cast<char, ushort>(name.AsSpan()))
        {
            h = DecisionHash.Add(h, word);
        }

        return h;
    }

    /// <summary><c>LivenessFailed</c> → <c>liveness_failed</c>, as the journal writes enum values.</summary>
    internal static string Words<T>(T value)
        where T : struct, Enum => Journaling.SupervisorJournal.Words(value.ToString());
}
