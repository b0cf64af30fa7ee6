using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tether.Journaling.Internal;
using Tether.Text;

namespace Tether.Journaling;

/// <summary>
/// Records a job's life in a <see cref="Journal"/> with the types of <see cref="JobRecordTypes"/>, and reconciles jobs
/// whose writer died. Every method returns the seq once the record is durable, like <see cref="Journal.AppendAsync"/>.
/// Caller-supplied data fields go into the record's <c>data</c> beside the fields named here; a caller field with one
/// of those names is refused.
/// </summary>
public sealed class JobJournal
{
    private readonly Journal _journal;
    private readonly JobJournalOptions _options;

    /// <summary>Writes job records to <paramref name="journal"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public JobJournal(Journal journal, JobJournalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(journal);
        _options = options ?? new JobJournalOptions();
        _options.Validate();
        _journal = journal;
    }

    /// <summary>Records that <paramref name="job"/> was submitted.</summary>
    public Task<ulong> SubmittedAsync(string job, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.Submitted, job, [], data, cancellationToken);

    /// <summary>Records that <paramref name="job"/> was validated.</summary>
    public Task<ulong> ValidatedAsync(string job, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.Validated, job, [], data, cancellationToken);

    /// <summary>Records that <paramref name="job"/> started, with this process's identity (pid, start time, boot id) so
    /// that <see cref="ReconcileAsync"/> can tell whether it is still alive.</summary>
    public Task<ulong> StartedAsync(string job, JsonObject? data = null, CancellationToken cancellationToken = default)
    {
        var fields = new List<KeyValuePair<string, JsonNode?>>();
        if (ProcessIdentity.Current is { } me)
        {
            fields.Add(new("writer", new JsonObject
            {
                ["pid"] = me.ProcessId,
                ["start_ticks"] = me.StartTicks,
                ["boot_id"] = me.BootId,
            }));
        }

        return AppendAsync(JobRecordTypes.Started, job, fields, data, cancellationToken);
    }

    /// <summary>Records that <paramref name="job"/> completed, with its exit code when given.</summary>
    public Task<ulong> CompletedAsync(string job, int? exitCode = null, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.Completed, job, exitCode is { } code ? [new("exit_code", code)] : [], data, cancellationToken);

    /// <summary>Records that <paramref name="job"/> failed; <paramref name="error"/> is cut to
    /// <see cref="JobJournalOptions.MaxErrorBytes"/>.</summary>
    public Task<ulong> FailedAsync(string job, string error, int? exitCode = null, JsonObject? data = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        var fields = new List<KeyValuePair<string, JsonNode?>> { new("error", Utf8Text.Cut(error, _options.MaxErrorBytes)) };
        if (exitCode is { } code)
        {
            fields.Add(new("exit_code", code));
        }

        return AppendAsync(JobRecordTypes.Failed, job, fields, data, cancellationToken);
    }

    /// <summary>Records that <paramref name="job"/> was cancelled.</summary>
    public Task<ulong> CancelledAsync(string job, string? reason = null, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.Cancelled, job, Reason(reason), data, cancellationToken);

    /// <summary>Records that <paramref name="job"/> timed out after <paramref name="timeout"/>.</summary>
    public Task<ulong> TimedOutAsync(string job, TimeSpan timeout, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.TimedOut, job, [new("timeout_ms", (long)timeout.TotalMilliseconds)], data, cancellationToken);

    /// <summary>Records that <paramref name="job"/> was rolled back.</summary>
    public Task<ulong> RolledBackAsync(string job, string? reason = null, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        AppendAsync(JobRecordTypes.RolledBack, job, Reason(reason), data, cancellationToken);

    /// <summary>
    /// Appends <c>job.abandoned</c> for every job that was started and never ended, unless the process that started it is
    /// still alive (same pid, same start time, same boot). Reads the journal tolerantly (damage is reported, not thrown),
    /// then decides under the journal lock, after reading what other writers appended meanwhile, so a job that ends
    /// concurrently is not marked, and two reconcilers never both mark the same job.
    /// </summary>
    /// <exception cref="InvalidOperationException">More than <see cref="JobJournalOptions.MaxOpenJobs"/> jobs are open.</exception>
    /// <exception cref="JournalWriteException">The records could not be appended.</exception>
    public async Task<ReconcileReport> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        var reader = new JournalReader(_journal.Directory, new JournalReaderOptions { Mode = ReadMode.Tolerant });
        var readReport = new JournalReadReport();
        var open = new OpenJobs(_options.MaxOpenJobs);
        ulong scanned = 0;
        await foreach (var record in reader.ReadAsync(JournalQuery.All, readReport, cancellationToken).ConfigureAwait(false))
        {
            open.Apply(record);
            scanned = record.Seq; // of any type: the catch-up under the lock starts after it
        }

        var abandoned = new List<AbandonedJob>();
        var running = new List<RunningJob>();
        var decided = new List<(OpenJob Job, string Reason)>();
        var seqs = await _journal.AppendDecidedAsync(
            async (nextSeq, token) =>
            {
                // Under the lock: catch up with what was appended since the scan, then nothing can change until we write.
                if (nextSeq > scanned + 1)
                {
                    var since = new JournalQuery { FromSeq = scanned + 1, ToSeq = nextSeq - 1 };
                    await foreach (var record in reader.ReadAsync(since, readReport, token).ConfigureAwait(false))
                    {
                        open.Apply(record);
                    }
                }

                var entries = new List<JournalEntry>();
                foreach (var job in open.InStartOrder())
                {
                    var reason = AbandonReason(job, out var livePid);
                    if (reason is null)
                    {
                        running.Add(new RunningJob(job.Name, job.StartedSeq, livePid));
                        continue;
                    }

                    decided.Add((job, reason));
                    entries.Add(new JournalEntry(JobRecordTypes.Abandoned, job.Name, new JsonObject
                    {
                        ["started_seq"] = job.StartedSeq,
                        ["reason"] = reason,
                    }));
                }

                return entries;
            },
            cancellationToken).ConfigureAwait(false);

        for (var i = 0; i < decided.Count; i++)
        {
            abandoned.Add(new AbandonedJob(decided[i].Job.Name, decided[i].Job.StartedSeq, seqs[i], decided[i].Reason));
        }

        return new ReconcileReport(abandoned, running, readReport);
    }

    /// <summary>Null when the job's writer is alive; otherwise why the job counts as abandoned.</summary>
    private static string? AbandonReason(OpenJob job, out int livePid)
    {
        livePid = 0;
        if (job.Writer is not { } writer)
        {
            return "started without a writer identity; nothing shows it is still running";
        }

        if (writer.IsAlive())
        {
            livePid = writer.ProcessId;
            return null;
        }

        var current = ProcessIdentity.Current;
        return current is not null && current.BootId != writer.BootId
            ? string.Create(CultureInfo.InvariantCulture, $"the writer (pid {writer.ProcessId}) ran before the machine restarted")
            : string.Create(CultureInfo.InvariantCulture, $"the writer (pid {writer.ProcessId}) is gone");
    }

    private Task<ulong> AppendAsync(string type, string job, IReadOnlyList<KeyValuePair<string, JsonNode?>> fields, JsonObject? data, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(job);
        JsonObject? merged = null;
        if (fields.Count > 0 || data is not null)
        {
            merged = [];
            foreach (var (name, value) in fields)
            {
                merged[name] = value;
            }

            if (data is not null)
            {
                foreach (var (name, value) in data)
                {
                    if (merged.ContainsKey(name))
                    {
                        throw new ArgumentException($"Data field '{name}' is set by the journal for '{type}' records; use another name.", nameof(data));
                    }

                    merged[name] = value?.DeepClone();
                }
            }
        }

        return _journal.AppendAsync(new JournalEntry(type, job, merged), cancellationToken);
    }

    private List<KeyValuePair<string, JsonNode?>> Reason(string? reason) =>
        reason is null ? [] : [new("reason", Utf8Text.Cut(reason, _options.MaxErrorBytes))];

    /// <summary>A job started and not yet ended, as reconciliation sees it.</summary>
    private sealed record OpenJob(string Name, ulong StartedSeq, ProcessIdentity? Writer);

    /// <summary>The jobs open at a point of the journal, bounded.</summary>
    private sealed class OpenJobs(int capacity)
    {
        private readonly Dictionary<string, OpenJob> _open = new(StringComparer.Ordinal);

        public void Apply(JournalRecord record)
        {
            if (record.Job is not { } job || !record.Type.StartsWith("job.", StringComparison.Ordinal))
            {
                return;
            }

            if (record.Type == JobRecordTypes.Started)
            {
                _open[job] = new OpenJob(job, record.Seq, ReadWriter(record.Data));
                if (_open.Count > capacity)
                {
                    throw new InvalidOperationException(
                        $"More than {capacity} jobs are open in the journal at seq {record.Seq}; reconciliation stops rather than guess. Raise JobJournalOptions.MaxOpenJobs if that many can really run at once.");
                }
            }
            else if (JobRecordTypes.IsEnd(record.Type))
            {
                _open.Remove(job);
            }
        }

        public IEnumerable<OpenJob> InStartOrder() => _open.Values.OrderBy(job => job.StartedSeq);

        private static ProcessIdentity? ReadWriter(JsonElement? data)
        {
            if (data is not { } d || !d.TryGetProperty("writer", out var writer) || writer.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            return writer.TryGetProperty("pid", out var pid) && pid.TryGetInt32(out var p)
                && writer.TryGetProperty("start_ticks", out var start) && start.TryGetUInt64(out var s)
                && writer.TryGetProperty("boot_id", out var boot) && boot.ValueKind == JsonValueKind.String
                ? new ProcessIdentity(p, s, boot.GetString()!)
                : null;
        }
    }
}
