using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Journaling;

/// <summary>
/// The traces and metrics of journals: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>. A commit batch (one lock, one write, one <c>fdatasync</c>) is one span,
/// <c>tether.journal.commit</c>, with the number of records and the outcome; the meter counts appended records and
/// measures commit latency (lock taken to records durable). Record contents never leave the journal.
/// </summary>
/// <remarks>Nothing is measured while nobody listens: a commit reads no clock and allocates nothing for telemetry then.</remarks>
public static class JournalTelemetry
{
    /// <summary>The name of the journal's activity source and meter.</summary>
    public const string Name = "Tether.Journal";

    /// <summary>The span of one commit batch.</summary>
    public const string CommitSpan = "tether.journal.commit";

    private const string Version = "1.0";

    internal static readonly ActivitySource Source = new(Name, Version);
    internal static readonly Meter Meter = new(Name, Version);

    /// <summary>Records appended (acknowledged durable, or buffered under <see cref="Durability.Buffered"/>).</summary>
    internal static readonly Counter<long> Appends = Meter.CreateCounter<long>("tether.journal.appends", "{record}", "Records appended to journals.");

    /// <summary>How long a commit batch took, from taking the lock to the batch written (and synced when synced).</summary>
    internal static readonly Histogram<double> CommitLatency = Meter.CreateHistogram<double>("tether.journal.commit.duration", "s", "How long journal commit batches took, lock to durable.");

    /// <summary>Commit batches that failed (the write or the sync).</summary>
    internal static readonly Counter<long> FailedCommits = Meter.CreateCounter<long>("tether.journal.commit.failures", "{commit}", "Journal commit batches that failed.");

    /// <summary>Begins observing one commit batch; a default value (and no work) when nobody listens.</summary>
    internal static CommitObservation StartCommit(TimeProvider time)
    {
        var tracing = Source.HasListeners();
        if (!tracing && !CommitLatency.Enabled && !Appends.Enabled && !FailedCommits.Enabled)
        {
            return default;
        }

        Activity? activity = null;
        if (tracing && (activity = Source.StartActivity(CommitSpan, ActivityKind.Internal)) is not null)
        {
            // The writer loop commits for every appender; no caller's later work belongs under this span.
            Activity.Current = activity.Parent;
            activity.SetStartTime(time.GetUtcNow().UtcDateTime);
        }

        return new CommitObservation(activity, time, time.GetTimestamp());
    }

    /// <summary>Ends a commit batch: <paramref name="records"/> appended, or the batch failed with <paramref name="failure"/>.</summary>
    internal static void Committed(in CommitObservation commit, int records, string directory, Exception? failure)
    {
        if (commit.Time is not { } time)
        {
            return;
        }

        var elapsed = time.GetElapsedTime(commit.StartTimestamp);
        if (failure is null && records > 0)
        {
            Appends.Add(records);
        }
        else if (failure is not null)
        {
            FailedCommits.Add(1);
        }

        CommitLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("tether.journal.outcome", failure is null ? "ok" : "failed"));
        if (commit.Activity is { } activity)
        {
            activity.SetTag("tether.journal.records", records);
            activity.SetTag("tether.journal.directory", directory);
            if (failure is not null)
            {
                activity.SetTag("error.type", failure.GetType().FullName);
                activity.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
            }

            activity.SetEndTime(activity.StartTimeUtc + elapsed);
            activity.Stop();
        }
    }

    /// <summary>One commit batch being observed: its span, if anyone traces, and when it began on the journal's clock.</summary>
    internal readonly record struct CommitObservation(Activity? Activity, TimeProvider? Time, long StartTimestamp);
}
