using System.Globalization;
using System.Text.Json;

namespace Tether.Supervisor;

/// <summary>
/// The JSON of the control API (docs/api.md), written with <see cref="Utf8JsonWriter"/> and read with
/// <see cref="JsonDocument"/> — no reflection, so the native build of the tool carries it. The server writes with it,
/// <see cref="ControlClient"/> reads with it, and <c>tether status --json</c> prints the same documents.
/// Durations are milliseconds (<c>…_ms</c>), times ISO 8601 in UTC, enums lower-case words.
/// </summary>
public static class ControlJson
{
    /// <summary>Writes the document of <c>GET /api/status</c> (a whole object).</summary>
    public static void WriteStatus(Utf8JsonWriter writer, SupervisorStatus status)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(status);
        writer.WriteStartObject();
        writer.WriteString("project_directory", status.ProjectDirectory);
        writer.WriteString("configuration_file", status.ConfigurationFile);
        writer.WriteNumber("pid", status.Pid);
        writer.WriteString("started_at", status.StartedAt.ToUniversalTime());
        writer.WriteNumber("uptime_ms", Milliseconds(status.Uptime));
        writer.WriteBoolean("shutting_down", status.ShuttingDown);
        writer.WriteStartObject("dropped_log_lines");
        foreach (var (service, dropped) in status.DroppedLogLines.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(service, dropped);
        }

        writer.WriteEndObject();
        WriteInstances(writer, status, status.Instances);
        writer.WriteEndObject();
    }

    /// <summary>Writes the document of <c>GET /api/services/NAME</c>: the service's name and its instances.</summary>
    public static void WriteService(Utf8JsonWriter writer, SupervisorStatus status, string service)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(status);
        writer.WriteStartObject();
        writer.WriteString("service", service);
        WriteInstances(writer, status, [.. status.Instances.Where(i => i.Id.Service == service)]);
        writer.WriteEndObject();
    }

    /// <summary>Writes one line of <c>GET /api/logs</c> (a whole object).</summary>
    public static void WriteLogLine(Utf8JsonWriter writer, LogLine line)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(line);
        writer.WriteStartObject();
        writer.WriteString("time", line.Time.ToUniversalTime());
        writer.WriteString("service", line.Instance.Service);
        writer.WriteNumber("index", line.Instance.Index);
        writer.WriteString("stream", line.Stream == LogStream.Stderr ? "stderr" : "stdout");
        writer.WriteString("text", line.Text);
        writer.WriteEndObject();
    }

    /// <summary>Writes the document of <c>POST /api/reload</c>.</summary>
    public static void WriteReloadReport(Utf8JsonWriter writer, ReloadReport report)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(report);
        writer.WriteStartObject();
        WriteNames(writer, "added", report.Added);
        WriteNames(writer, "removed", report.Removed);
        WriteNames(writer, "restarted", report.Restarted);
        WriteNames(writer, "scaled", report.Scaled);
        WriteNames(writer, "unchanged", report.Unchanged);
        writer.WriteEndObject();
    }

    /// <summary>Reads the document of <c>GET /api/status</c>.</summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static SupervisorStatus ReadStatus(JsonElement root)
    {
        try
        {
            var uptime = TimeSpan.FromMilliseconds(root.GetProperty("uptime_ms").GetDouble());
            return new SupervisorStatus(
                root.GetProperty("project_directory").GetString() ?? "",
                root.GetProperty("configuration_file").GetString(),
                root.GetProperty("pid").GetInt32(),
                root.GetProperty("started_at").GetDateTimeOffset(),
                uptime,
                root.GetProperty("shutting_down").GetBoolean(),
                ReadInstances(root, uptime))
            {
                DroppedLogLines = root.TryGetProperty("dropped_log_lines", out var dropped)
                    ? dropped.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal)
                    : new Dictionary<string, long>(),
            };
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException("The supervisor's status document is not what this version of tether reads: " + ex.Message, ex);
        }
    }

    /// <summary>Reads one line of <c>GET /api/logs</c>.</summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static LogLine ReadLogLine(JsonElement root)
    {
        try
        {
            return new LogLine(
                root.GetProperty("time").GetDateTimeOffset(),
                new InstanceId(root.GetProperty("service").GetString() ?? "", root.GetProperty("index").GetInt32()),
                root.GetProperty("stream").GetString() == "stderr" ? LogStream.Stderr : LogStream.Stdout,
                root.GetProperty("text").GetString() ?? "");
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException("A log line from the supervisor is not what this version of tether reads: " + ex.Message, ex);
        }
    }

    /// <summary>Reads the document of <c>POST /api/reload</c>.</summary>
    /// <exception cref="FormatException">It is not one.</exception>
    public static ReloadReport ReadReloadReport(JsonElement root)
    {
        try
        {
            return new ReloadReport(Names(root, "added"), Names(root, "removed"), Names(root, "restarted"), Names(root, "scaled"), Names(root, "unchanged"));
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException("The reload report is not what this version of tether reads: " + ex.Message, ex);
        }
    }

    /// <summary>The word the API uses for <paramref name="state"/> (<c>ready</c>, <c>waiting</c>, …).</summary>
    public static string Word(ServiceState state) => state.ToString().ToLowerInvariant();

    /// <summary>The word the API uses for <paramref name="health"/> (<c>unknown</c>, <c>passing</c>, <c>failing</c>).</summary>
    public static string Word(Health health) => health.ToString().ToLowerInvariant();

    /// <summary>The word the API uses for <paramref name="action"/> (<c>start</c>, <c>stop</c>, <c>restart</c>, <c>scale</c>).</summary>
    public static string Word(OperatorAction action) => action.ToString().ToLowerInvariant();

    private static void WriteInstances(Utf8JsonWriter writer, SupervisorStatus status, IReadOnlyList<InstanceStatus> instances)
    {
        writer.WriteStartArray("instances");
        foreach (var instance in instances)
        {
            writer.WriteStartObject();
            writer.WriteString("service", instance.Id.Service);
            writer.WriteNumber("index", instance.Id.Index);
            writer.WriteString("state", Word(instance.State));
            WriteNullable(writer, "pid", instance.Pid);
            if (instance.StartedAt is { } started)
            {
                writer.WriteNumber("uptime_ms", Milliseconds(Max(status.Uptime - started)));
            }
            else
            {
                writer.WriteNull("uptime_ms");
            }

            writer.WriteNumber("in_state_ms", Milliseconds(Max(status.Uptime - instance.Since)));
            writer.WriteNumber("restarts", instance.Restarts);
            writer.WriteString("health", Word(instance.Health));
            if (instance.LastExit is { } exit)
            {
                writer.WriteStartObject("last_exit");
                WriteNullable(writer, "code", exit.ExitCode);
                if (exit.Signal is { } signal)
                {
                    writer.WriteString("signal", signal.ToString());
                }
                else
                {
                    writer.WriteNull("signal");
                }

                writer.WriteBoolean("out_of_memory", exit.OutOfMemory);
                writer.WriteString("text", exit.ToString());
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("last_exit");
            }

            writer.WriteString("reason", instance.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static List<InstanceStatus> ReadInstances(JsonElement root, TimeSpan uptime)
    {
        var instances = new List<InstanceStatus>();
        foreach (var item in root.GetProperty("instances").EnumerateArray())
        {
            ExitInfo? exit = null;
            if (item.GetProperty("last_exit") is { ValueKind: JsonValueKind.Object } last)
            {
                Signal? signal = last.GetProperty("signal").GetString() is { } name && Signal.TryParse(name, out var parsed) ? parsed : null;
                exit = new ExitInfo(last.GetProperty("code").ValueKind == JsonValueKind.Number ? last.GetProperty("code").GetInt32() : null, signal, last.GetProperty("out_of_memory").GetBoolean());
            }

            var itemUptime = item.GetProperty("uptime_ms");
            instances.Add(new InstanceStatus(
                new InstanceId(item.GetProperty("service").GetString() ?? "", item.GetProperty("index").GetInt32()),
                Enum.Parse<ServiceState>(item.GetProperty("state").GetString() ?? "", ignoreCase: true),
                item.GetProperty("pid").ValueKind == JsonValueKind.Number ? item.GetProperty("pid").GetInt32() : null,
                itemUptime.ValueKind == JsonValueKind.Number ? uptime - TimeSpan.FromMilliseconds(itemUptime.GetDouble()) : null,
                uptime - TimeSpan.FromMilliseconds(item.GetProperty("in_state_ms").GetDouble()),
                item.GetProperty("restarts").GetInt32(),
                Enum.Parse<Health>(item.GetProperty("health").GetString() ?? "", ignoreCase: true),
                exit,
                item.GetProperty("reason").GetString() ?? ""));
        }

        return instances;
    }

    private static void WriteNames(Utf8JsonWriter writer, string name, IReadOnlyList<string> names)
    {
        writer.WriteStartArray(name);
        foreach (var item in names)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }

    private static string[] Names(JsonElement root, string name) =>
        [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? "")];

    private static void WriteNullable(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static double Milliseconds(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 3);

    private static TimeSpan Max(TimeSpan duration) => duration < TimeSpan.Zero ? TimeSpan.Zero : duration;

    internal static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
