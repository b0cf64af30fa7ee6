using System.Globalization;
using Tether.Lab;

namespace Tether.Watch;

/// <summary>
/// Answers "why was pid N recovered, or refused?" from a trace: it replays the engine and, for every recovery decision
/// about the pid, tells the story from the events that led to it — the agent's beats, the stall, the freshness answer,
/// the gates (debounce, in flight) — in the engine's own terms.
/// </summary>
internal static class WatchExplainer
{
    public static IReadOnlyList<string> Explain(WatchTrace trace, IReadOnlyList<TraceFile> files, uint pid)
    {
        TraceReplayer.Check(trace, files);
        var replay = trace.CreateWatchEngine(files[0].Header);
        var options = replay.Engine.Options;
        var codec = trace.CreateCodec();
        var lines = new List<string>();
        var story = new Story();
        var freshnessIds = new HashSet<long>();
        foreach (var file in files)
        {
            foreach (var record in file.Events(codec))
            {
                replay.Handle(record.Input);
                if (record.Input is WatchInput.FreshnessChecked answer && freshnessIds.Contains(answer.RecoveryId))
                {
                    story.Freshness = $"the host re-read the pid's start time at t={WatchTrace.Ms(answer.At)}ms: {(answer.StartTime is { } s ? s.ToString(CultureInfo.InvariantCulture) : "no such process")}";
                }

                foreach (var e in replay.Events)
                {
                    Observe(e, record.Index, pid, options, story, freshnessIds, lines);
                }
            }
        }

        if (lines.Count == 0)
        {
            lines.Add(story.Beats == 0
                ? $"pid {pid}: the trace has no beat and no decision about this pid."
                : $"pid {pid}: {story.Beats} beats accepted (t={WatchTrace.Ms(story.FirstBeat)}ms to t={WatchTrace.Ms(story.LastBeat)}ms), {story.Stalls} stalls; no recovery was started or refused for it.");
        }

        return lines;
    }

    private static void Observe(WatchEvent e, long index, uint pid, WatchOptions options, Story story, HashSet<long> freshnessIds, List<string> lines)
    {
        switch (e)
        {
            case WatchEvent.BeatAccepted a when a.Pid == pid:
                if (story.Beats == 0 || a.NewAgent)
                {
                    story.FirstBeat = a.At;
                }

                story.Beats++;
                story.LastBeat = a.At;
                story.LastBeatLine = $"last accepted beat at t={WatchTrace.Ms(a.At)}ms (nonce {a.Nonce}, status {SnakeCaseNames.Of(a.Status)}, origin {SnakeCaseNames.Of(a.Origin)})";
                break;
            case WatchEvent.PidReused r when r.Pid == pid:
                story.Notes.Add($"t={WatchTrace.Ms(r.At)}ms the pid was reused by another process (new start time): the agent started fresh");
                break;
            case WatchEvent.StallDetected s when s.Pid == pid:
                story.Stalls++;
                story.StallLine = $"stalled at t={WatchTrace.Ms(s.At)}ms after {WatchTrace.Ms(s.SilentFor)}ms of silence (threshold {WatchTrace.Ms(options.Threshold)}ms)";
                story.Freshness = null;
                break;
            case WatchEvent.FreshnessCheckRequested c when c.Pid == pid:
                freshnessIds.Add(c.RecoveryId);
                break;
            case WatchEvent.RecoveryStarted s when s.Pid == pid:
                lines.Add($"event #{index}, t={WatchTrace.Ms(s.At)}ms: pid {pid} was RECOVERED (recovery {s.RecoveryId}) because:");
                lines.Add($"  - {story.StallLine ?? "it was stalled"}; {story.LastBeatLine ?? "no beat accepted in this trace"}");
                lines.Add($"  - {story.Freshness ?? "the host answered the freshness check"}, the same process as the agent's (start time {(s.StartTime is { } t ? t.ToString(CultureInfo.InvariantCulture) : "unknown")}), and no beat came after the stall");
                lines.Add($"  - no recovery of this process within the debounce window ({WatchTrace.Ms(options.RecoveryDebounce)}ms){(story.LastRecovery is { } last ? $"; the previous one was at t={WatchTrace.Ms(last)}ms" : "; it was the first")}, none in flight for it, and room in flight (max {options.MaxRecoveriesInFlight})");
                AddNotes(story, lines);
                story.LastRecovery = s.At;
                break;
            case WatchEvent.RecoveryRefused f when f.Pid == pid:
                lines.Add($"event #{index}, t={WatchTrace.Ms(f.At)}ms: recovery of pid {pid} was REFUSED ({SnakeCaseNames.Of(f.Reason)}) because {Why(f.Reason, options, story)}");
                lines.Add($"  - {story.StallLine ?? "it was stalled"}; {story.LastBeatLine ?? "no beat accepted in this trace"}");
                if (story.Freshness is { } freshness)
                {
                    lines.Add($"  - {freshness}");
                }

                AddNotes(story, lines);
                break;
            case WatchEvent.RecoveryCompleted c when c.Pid == pid:
                lines.Add($"event #{index}, t={WatchTrace.Ms(c.At)}ms: recovery {c.RecoveryId} of pid {pid} ended: {c.Result.Kind} after {WatchTrace.Ms(c.Result.Duration)}ms");
                break;
        }
    }

    private static void AddNotes(Story story, List<string> lines)
    {
        foreach (var note in story.Notes)
        {
            lines.Add($"  - {note}");
        }

        story.Notes.Clear();
    }

    private static string Why(RecoveryRefusal reason, WatchOptions options, Story story) => reason switch
    {
        RecoveryRefusal.Debounced => $"a recovery of the same process ran at t={(story.LastRecovery is { } last ? WatchTrace.Ms(last) : "?")}ms, within the debounce window of {WatchTrace.Ms(options.RecoveryDebounce)}ms",
        RecoveryRefusal.Resumed => "the agent beat again after the stall, before the recovery could run",
        RecoveryRefusal.PidRecycled => "the pid's start time changed: it now names another process",
        RecoveryRefusal.AgentGone => "the agent left the table or no process has its pid any more",
        RecoveryRefusal.InFlight => "a recovery for it was still running",
        RecoveryRefusal.InFlightFull => $"{options.MaxRecoveriesInFlight} recoveries were already running",
        RecoveryRefusal.DebounceLedgerFull => $"the debounce ledger was full ({options.DebounceLedgerCapacity}) with no expired entry (fail closed)",
        RecoveryRefusal.CrossNamespace => "the agent is in another PID namespace",
        RecoveryRefusal.NetworkUnverified => "its beats arrive over unverified UDP",
        RecoveryRefusal.SocketModeOnly => "its beats came without kernel credentials",
        _ => SnakeCaseNames.Of(reason),
    };

    private sealed class Story
    {
        public long Beats;
        public int Stalls;
        public TimeSpan FirstBeat;
        public TimeSpan LastBeat;
        public string? LastBeatLine;
        public string? StallLine;
        public string? Freshness;
        public TimeSpan? LastRecovery;
        public List<string> Notes { get; } = [];
    }
}
