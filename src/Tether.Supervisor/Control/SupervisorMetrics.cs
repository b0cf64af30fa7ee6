using Tether.Metrics;

namespace Tether.Supervisor;

/// <summary>
/// The supervisor's <c>GET /metrics</c> in the Prometheus text format 0.0.4, written with the same
/// <see cref="PrometheusWriter"/> as the watcher's endpoint. Per instance (labels <c>service</c>, <c>instance</c>):
/// <c>tether_service_up</c>, <c>tether_service_state{state}</c> (every state present, 1 for the current one),
/// <c>tether_service_health{health}</c>, <c>tether_service_restarts_total</c>, <c>tether_service_uptime_seconds</c>;
/// per service <c>tether_service_log_dropped_lines_total</c>, <c>tether_service_log_bytes_total</c>,
/// <c>tether_service_restarts_by_reason_total{reason}</c>, <c>tether_probe_results_total{probe,result}</c> and
/// <c>tether_probe_duration_seconds</c> (a summary: <c>_sum</c> and <c>_count</c> of polled checks); and the supervisor's own
/// <c>process_resident_memory_bytes</c>, <c>process_cpu_seconds_total</c> and <c>process_start_time_seconds</c>.
/// </summary>
internal static class SupervisorMetrics
{
    /// <summary>The <c>Content-Type</c> of the rendered text.</summary>
    public const string ContentType = PrometheusWriter.ContentType;

    private static readonly ServiceState[] States = Enum.GetValues<ServiceState>();
    private static readonly Health[] Healths = Enum.GetValues<Health>();

    public static string Render(SupervisorStatus status)
    {
        var text = new PrometheusWriter();
        text.Family("tether_service_up", "gauge", "1 when the instance has a running process, else 0.");
        foreach (var i in status.Instances)
        {
            text.Sample("tether_service_up", i.Pid is null ? 0 : 1, Labels(i.Id));
        }

        text.Family("tether_service_state", "gauge", "1 for the instance's current state, 0 for every other state.");
        foreach (var i in status.Instances)
        {
            foreach (var state in States)
            {
                text.Sample("tether_service_state", i.State == state ? 1 : 0, ("service", i.Id.Service), ("instance", Index(i.Id)), ("state", ControlJson.Word(state)));
            }
        }

        text.Family("tether_service_health", "gauge", "1 for the instance's current probe health, 0 for the others.");
        foreach (var i in status.Instances)
        {
            foreach (var health in Healths)
            {
                text.Sample("tether_service_health", i.Health == health ? 1 : 0, ("service", i.Id.Service), ("instance", Index(i.Id)), ("health", ControlJson.Word(health)));
            }
        }

        text.Family("tether_service_restarts_total", "counter", "Restarts of the instance since the supervisor started.");
        foreach (var i in status.Instances)
        {
            text.Sample("tether_service_restarts_total", i.Restarts, Labels(i.Id));
        }

        text.Family("tether_service_uptime_seconds", "gauge", "How long the instance's current process has run (0 when none runs).");
        foreach (var i in status.Instances)
        {
            var uptime = i.StartedAt is { } started && status.Uptime > started ? (status.Uptime - started).TotalSeconds : 0;
            text.Sample("tether_service_uptime_seconds", Math.Round(uptime, 3), Labels(i.Id));
        }

        text.Family("tether_service_log_dropped_lines_total", "counter", "Lines of the service's output that never reached its log file (the writer fell behind, or writing failed).");
        foreach (var service in status.Instances.Select(i => i.Id.Service).Distinct(StringComparer.Ordinal))
        {
            text.Sample("tether_service_log_dropped_lines_total", status.DroppedLogLines.GetValueOrDefault(service), ("service", service));
        }

        text.Family("tether_service_log_bytes_total", "counter", "Bytes of the service's output written to its log files.");
        foreach (var service in status.Instances.Select(i => i.Id.Service).Distinct(StringComparer.Ordinal))
        {
            text.Sample("tether_service_log_bytes_total", status.LogBytes.GetValueOrDefault(service), ("service", service));
        }

        var counts = status.Counts;
        text.Family("tether_service_restarts_by_reason_total", "counter", "Restarts the supervisor scheduled, by service and why: exit, signal, out_of_memory, liveness_failed, start_failed.");
        foreach (var ((service, reason), count) in counts.Restarts.OrderBy(p => p.Key.Service, StringComparer.Ordinal).ThenBy(p => p.Key.Reason, StringComparer.Ordinal))
        {
            text.Sample("tether_service_restarts_by_reason_total", count, ("service", service), ("reason", reason));
        }

        text.Family("tether_probe_results_total", "counter", "Probe verdicts, by service, probe (readiness or liveness) and result (pass or fail).");
        foreach (var ((service, role, result), count) in counts.ProbeResults.OrderBy(p => p.Key.Service, StringComparer.Ordinal).ThenBy(p => p.Key.Role, StringComparer.Ordinal).ThenBy(p => p.Key.Result, StringComparer.Ordinal))
        {
            text.Sample("tether_probe_results_total", count, ("service", service), ("probe", role), ("result", result));
        }

        text.Family("tether_probe_duration_seconds", "summary", "How long polled checks (exec, http, tcp) took, from the supervisor asking to its answer.");
        foreach (var ((service, role), (count, total)) in counts.ProbeDurations.OrderBy(p => p.Key.Service, StringComparer.Ordinal).ThenBy(p => p.Key.Role, StringComparer.Ordinal))
        {
            text.Sample("tether_probe_duration_seconds_sum", Math.Round(total.TotalSeconds, 6), ("service", service), ("probe", role));
            text.Sample("tether_probe_duration_seconds_count", count, ("service", service), ("probe", role));
        }

        text.Single("tether_supervisor_shutting_down", "gauge", "1 once the supervisor began stopping its services.", status.ShuttingDown ? 1 : 0);
        text.Single("process_resident_memory_bytes", "gauge", "Resident memory of the supervisor's own process.", Environment.WorkingSet);
        text.Single("process_cpu_seconds_total", "counter", "CPU time (user and system) the supervisor's own process has used.", Math.Round(Environment.CpuUsage.TotalTime.TotalSeconds, 6));
        text.Single("process_start_time_seconds", "gauge", "When the supervisor started, in seconds since the Unix epoch.", status.StartedAt.ToUnixTimeMilliseconds() / 1000.0);
        return text.ToString();
    }

    private static (string, string)[] Labels(InstanceId id) => [("service", id.Service), ("instance", Index(id))];

    private static string Index(InstanceId id) => ControlJson.Number(id.Index);
}
