using System.Globalization;
using Tether.Metrics;

namespace Tether.Watch;

/// <summary>
/// The watcher's metrics in the Prometheus text exposition format 0.0.4, written with the one
/// <see cref="PrometheusWriter"/> the supervisor's <c>/metrics</c> uses too: every family with <c># HELP</c> and
/// <c># TYPE</c>, names prefixed <c>tether_watch_</c>, every label value of an enum present (zero included) so that
/// rates work from the first scrape.
/// </summary>
internal static class PrometheusText
{
    /// <summary>The <c>Content-Type</c> of the rendered text.</summary>
    public const string ContentType = PrometheusWriter.ContentType;

    private const string Prefix = "tether_watch_";

    // The four kinds RecoveryResult.Kind can take; listed so that each appears before its first occurrence.
    private static readonly string[] OutcomeKinds = ["exited", "signalled", "timed_out", "failed"];

    public static string Render(WatchCounters counters, TickDurationHistogram histogram)
    {
        var text = new PrometheusWriter(Prefix);

        Counter(text, "beats_total", "Beats accepted.", counters.Beats);
        Counter(text, "stalls_total", "Stalls detected (once per silence run).", counters.Stalls);
        text.Family("decode_errors_total", "counter", "Datagrams that were not valid VLP v0.2 frames, by the first check that failed.");
        foreach (var kind in Enum.GetValues<FrameErrorKind>())
        {
            text.Sample("decode_errors_total", counters.DecodeErrors(kind), ("kind", SnakeCaseNames.Of(kind)));
        }

        Counter(text, "authentication_failures_total", "Frames whose pid was not the sender's kernel-reported pid (spoofing attempts).", counters.AuthenticationFailures);
        Counter(text, "namespace_conflicts_total", "Frames refused because they came from another PID namespace.", counters.NamespaceConflicts);
        Counter(text, "origin_conflicts_total", "Beats refused because a weaker origin tried to speak for a known agent.", counters.OriginConflicts);
        Counter(text, "evictions_total", "Long-silent agents evicted to make room for new ones.", counters.Evictions);
        Counter(text, "pid_reuses_total", "Agents whose pid was reused by another process.", counters.PidReuses);
        Counter(text, "terminations_total", "Agents that sent their terminal frame.", counters.Terminations);
        text.Family("drops_total", "counter", "Beats dropped, by reason.");
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            text.Sample("drops_total", counters.Drops(reason), ("reason", SnakeCaseNames.Of(reason)));
        }

        text.Family("recovery_refusals_total", "counter", "Recoveries refused for stalled agents, by reason.");
        foreach (var reason in Enum.GetValues<RecoveryRefusal>())
        {
            text.Sample("recovery_refusals_total", counters.Refusals(reason), ("reason", SnakeCaseNames.Of(reason)));
        }

        Counter(text, "recoveries_started_total", "Recovery commands started.", counters.RecoveriesStarted);
        text.Family("recovery_outcomes_total", "counter", "Recovery commands ended, by outcome.");
        var outcomes = counters.RecoveryOutcomes;
        foreach (var outcome in OutcomeKinds.Concat(outcomes.Keys.Where(k => !OutcomeKinds.Contains(k)).Order(StringComparer.Ordinal)))
        {
            text.Sample("recovery_outcomes_total", outcomes.GetValueOrDefault(outcome), ("outcome", outcome));
        }

        text.Single("agents", "gauge", "Agents tracked now.", counters.Agents);
        text.Single("recoveries_in_flight", "gauge", "Recovery commands running now.", counters.RecoveriesInFlight);
        Histogram(text, histogram);
        return text.ToString();
    }

    private static void Counter(PrometheusWriter text, string name, string help, long value) => text.Single(name, "counter", help, value);

    private static void Histogram(PrometheusWriter text, TickDurationHistogram histogram)
    {
        const string Name = "engine_tick_duration_seconds";
        text.Family(Name, "histogram", "Time the engine took to handle one input.");
        var (cumulative, sum) = histogram.Snapshot();
        var bounds = TickDurationHistogram.UpperBounds;
        for (var i = 0; i < cumulative.Length; i++)
        {
            var le = i < bounds.Count ? Seconds(bounds[i]) : "+Inf";
            text.Sample(Name + "_bucket", cumulative[i], ("le", le));
        }

        text.Sample(Name + "_sum", (double)sum.Ticks / TimeSpan.TicksPerSecond);
        text.Sample(Name + "_count", cumulative[^1]);
    }

    // Seconds as a plain decimal (0.0000025 rather than 2.5E-06): both parse, this one reads.
    private static string Seconds(TimeSpan span) => ((decimal)span.Ticks / TimeSpan.TicksPerSecond).ToString("0.#######", CultureInfo.InvariantCulture);
}
