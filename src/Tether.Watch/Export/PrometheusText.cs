using System.Globalization;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The watcher's metrics in the Prometheus text exposition format 0.0.4: every family with <c># HELP</c> and
/// <c># TYPE</c>, names prefixed <c>tether_watch_</c>, every label value of an enum present (zero included) so that
/// rates work from the first scrape.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The <c>Content-Type</c> of the rendered text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string Prefix = "tether_watch_";

    // The four kinds RecoveryResult.Kind can take; listed so that each appears before its first occurrence.
    private static readonly string[] OutcomeKinds = ["exited", "signalled", "timed_out", "failed"];

    public static string Render(WatchCounters counters, TickDurationHistogram histogram)
    {
        var text = new StringBuilder(4096);

        Counter(text, "beats_total", "Beats accepted.", counters.Beats);
        Counter(text, "stalls_total", "Stalls detected (once per silence run).", counters.Stalls);
        Family(text, "decode_errors_total", "counter", "Datagrams that were not valid VLP v0.2 frames, by the first check that failed.");
        foreach (var kind in Enum.GetValues<FrameErrorKind>())
        {
            Sample(text, "decode_errors_total", "kind", SnakeCaseNames.Of(kind), counters.DecodeErrors(kind));
        }

        Counter(text, "authentication_failures_total", "Frames whose pid was not the sender's kernel-reported pid (spoofing attempts).", counters.AuthenticationFailures);
        Counter(text, "namespace_conflicts_total", "Frames refused because they came from another PID namespace.", counters.NamespaceConflicts);
        Counter(text, "origin_conflicts_total", "Beats refused because a weaker origin tried to speak for a known agent.", counters.OriginConflicts);
        Counter(text, "evictions_total", "Long-silent agents evicted to make room for new ones.", counters.Evictions);
        Counter(text, "pid_reuses_total", "Agents whose pid was reused by another process.", counters.PidReuses);
        Counter(text, "terminations_total", "Agents that sent their terminal frame.", counters.Terminations);
        Family(text, "drops_total", "counter", "Beats dropped, by reason.");
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            Sample(text, "drops_total", "reason", SnakeCaseNames.Of(reason), counters.Drops(reason));
        }

        Family(text, "recovery_refusals_total", "counter", "Recoveries refused for stalled agents, by reason.");
        foreach (var reason in Enum.GetValues<RecoveryRefusal>())
        {
            Sample(text, "recovery_refusals_total", "reason", SnakeCaseNames.Of(reason), counters.Refusals(reason));
        }

        Counter(text, "recoveries_started_total", "Recovery commands started.", counters.RecoveriesStarted);
        Family(text, "recovery_outcomes_total", "counter", "Recovery commands ended, by outcome.");
        var outcomes = counters.RecoveryOutcomes;
        foreach (var outcome in OutcomeKinds.Concat(outcomes.Keys.Where(k => !OutcomeKinds.Contains(k)).Order(StringComparer.Ordinal)))
        {
            Sample(text, "recovery_outcomes_total", "outcome", outcome, outcomes.GetValueOrDefault(outcome));
        }

        Gauge(text, "agents", "Agents tracked now.", counters.Agents);
        Gauge(text, "recoveries_in_flight", "Recovery commands running now.", counters.RecoveriesInFlight);
        Histogram(text, histogram);
        return text.ToString();
    }

    private static void Counter(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "counter", help);
        text.Append(Prefix).Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Gauge(StringBuilder text, string name, string help, long value)
    {
        Family(text, name, "gauge", help);
        text.Append(Prefix).Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Histogram(StringBuilder text, TickDurationHistogram histogram)
    {
        const string Name = "engine_tick_duration_seconds";
        Family(text, Name, "histogram", "Time the engine took to handle one input.");
        var (cumulative, sum) = histogram.Snapshot();
        var bounds = TickDurationHistogram.UpperBounds;
        for (var i = 0; i < cumulative.Length; i++)
        {
            var le = i < bounds.Count ? Seconds(bounds[i]) : "+Inf";
            Sample(text, Name + "_bucket", "le", le, cumulative[i]);
        }

        text.Append(Prefix).Append(Name).Append("_sum ").Append(Seconds(sum)).Append('\n');
        text.Append(Prefix).Append(Name).Append("_count ").Append(cumulative[^1].ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    private static void Family(StringBuilder text, string name, string type, string help)
    {
        text.Append("# HELP ").Append(Prefix).Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(Prefix).Append(name).Append(' ').Append(type).Append('\n');
    }

    private static void Sample(StringBuilder text, string name, string label, string labelValue, long value)
    {
        text.Append(Prefix).Append(name).Append('{').Append(label).Append("=\"");
        foreach (var c in labelValue)
        {
            // The format's three escapes in label values.
            _ = c switch
            {
                '\\' => text.Append(@"\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append(@"\n"),
                _ => text.Append(c),
            };
        }

        text.Append("\"} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    // Seconds as a plain decimal (0.0000025 rather than 2.5E-06): both parse, this one reads.
    private static string Seconds(TimeSpan span) => ((decimal)span.Ticks / TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture);
}
