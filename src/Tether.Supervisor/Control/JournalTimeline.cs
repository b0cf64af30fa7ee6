using System.Globalization;
using System.Text.Json;
using Tether.Journaling;

namespace Tether.Supervisor;

/// <summary>
/// <c>GET /api/journal?service=NAME&amp;limit=N</c>: a service's decision timeline from the supervisor's journal, newest
/// last, each record with a sentence a person reads ("restart 3 scheduled: exited with code 1, backoff 400 ms, 3 restarts
/// recently") beside its type and time. Reads only the journal's last records, so the cost does not grow with its length.
/// </summary>
internal static class JournalTimeline
{
    /// <summary>The most entries one request may ask for.</summary>
    public const int MaxEntries = 1000;

    private const int DefaultEntries = 50;

    // How far back to look for a service's records: the journal interleaves every service, so read a window of records
    // larger than the entries asked for, bounded so one request never reads more than this.
    private const int Window = 20_000;

    public static async Task WriteAsync(ISupervisorControl control, string? journalDirectory, ControlRequest request, ControlResponse response, CancellationToken cancellationToken)
    {
        var service = request.Value("service");
        if (string.IsNullOrEmpty(service))
        {
            throw ControlError.BadRequest("GET /api/journal needs ?service=NAME: GET /api/status lists the services");
        }

        if (!control.Status().Instances.Any(i => i.Id.Service == service))
        {
            throw ControlError.NotFound($"no service named '{service}': GET /api/status lists the services");
        }

        var limit = DefaultEntries;
        if (request.Value("limit") is { } text && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxEntries))
        {
            throw ControlError.BadRequest($"limit must be a whole number from 1 to {MaxEntries}, not '{text}'");
        }

        var entries = await ReadAsync(journalDirectory, service, limit, cancellationToken).ConfigureAwait(false);
        await response.WriteJsonAsync(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("service", service);
            w.WriteStartArray("entries");
            foreach (var (record, sentence) in entries)
            {
                w.WriteStartObject();
                w.WriteNumber("seq", record.Seq);
                w.WriteString("time", record.Timestamp.ToUniversalTime());
                w.WriteString("type", record.Type);
                w.WriteString("instance", record.Job);
                w.WriteString("text", sentence);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<List<(JournalRecord Record, string Text)>> ReadAsync(string? directory, string service, int limit, CancellationToken cancellationToken)
    {
        var result = new List<(JournalRecord, string)>();
        if (directory is null || !Directory.Exists(directory))
        {
            return result;
        }

        IReadOnlyList<JournalRecord> records;
        try
        {
            var reader = new JournalReader(directory, new JournalReaderOptions { Mode = ReadMode.Tolerant });
            records = await reader.ReadLastAsync(Window, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JournalException or IOException or UnauthorizedAccessException)
        {
            throw new ControlError(500, "internal", $"the journal in {directory} cannot be read: {ex.Message}");
        }

        foreach (var record in records)
        {
            if (About(record, service) && Sentence(record) is { } text)
            {
                result.Add((record, text));
            }
        }

        return result.Count > limit ? result[^limit..] : result;
    }

    /// <summary>Whether <paramref name="record"/> is about <paramref name="service"/>: one of its instances, its log, or an operator's command for it.</summary>
    private static bool About(JournalRecord record, string service) =>
        record.Job is { } job
            ? job == service || (job.StartsWith(service, StringComparison.Ordinal) && job.Length > service.Length && job[service.Length] == '#')
            : record.Type == "supervisor.command" && Text(record, "service") == service;

    /// <summary>The record as a person would say it; null for records the timeline leaves out.</summary>
    internal static string? Sentence(JournalRecord record) => record.Type switch
    {
        "service.start" => "starting",
        "service.started" => $"started: pid {Text(record, "pid")}",
        "service.start_failed" => $"could not start: {Text(record, "reason")}",
        "service.exited" => $"exited: {Text(record, "exit")}",
        "service.state" => $"{Text(record, "from")} → {Text(record, "to")}" + (Text(record, "reason") is { Length: > 0 } reason ? ": " + reason : ""),
        "service.restart_scheduled" =>
            $"restart {Text(record, "restart")} scheduled: {Text(record, "reason")}, backoff {Text(record, "delay_ms")} ms, {Text(record, "recent_restarts")} restarts recently",
        "service.stop" => $"stopping ({Text(record, "cause")}): {Text(record, "signal")}, grace {Text(record, "grace_ms")} ms",
        "service.kill" => "killed: the grace period ran out",
        "service.gave_up" => $"gave up: {Text(record, "reason")}",
        "service.health" => $"{Text(record, "probe")} probe {Text(record, "health")}" + (Text(record, "detail") is { Length: > 0 } detail ? ": " + detail : ""),
        "service.removed" => "removed",
        "service.log_dropped" => $"{Text(record, "lines")} log lines lost: {Text(record, "reason")}",
        "supervisor.command" => $"operator: {Text(record, "action")}" + (Text(record, "replicas") is { Length: > 0 } replicas ? " to " + replicas : ""),
        _ => null,
    };

    private static string? Text(JournalRecord record, string name)
    {
        if (record.Data is not { ValueKind: JsonValueKind.Object } data || !data.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };
    }
}
