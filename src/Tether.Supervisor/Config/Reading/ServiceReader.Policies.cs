namespace Tether.Supervisor;

internal sealed partial class ServiceReader
{
    private static readonly string[] RestartChoices = ["no", "on-failure", "always", "unless-stopped"];

    /// <summary>Reads restart:, ok_exit_codes:, backoff:, start_limit:, stop:, limits: or logs: into <paramref name="service"/>.</summary>
    private ServiceDefinition ReadPolicy(ServiceDefinition service, string name, string key, ConfigNode value, string what)
    {
        switch (key)
        {
            case "restart" when values.Choice(value, what, RestartChoices, out var restart):
                return service with
                {
                    Restart = restart switch
                    {
                        "no" => RestartPolicy.No,
                        "always" => RestartPolicy.Always,
                        "unless-stopped" => RestartPolicy.UnlessStopped,
                        _ => RestartPolicy.OnFailure,
                    },
                };
            case "ok_exit_codes":
                return ReadExitCodes(value, what) is { } codes ? service with { OkExitCodes = codes } : service;
            case "backoff":
                return service with { Backoff = ReadBackoff(name, value, what) };
            case "start_limit":
                return service with { StartLimit = ReadStartLimit(name, value, what) };
            case "stop":
                return service with { Stop = ReadStop(name, value, what) };
            case "limits":
                return service with { Limits = ReadLimits(name, value, what) };
            case "logs":
                return service with { Logs = ReadLogs(name, value, what) };
            default:
                return service;
        }
    }

    private List<int>? ReadExitCodes(ConfigNode node, string what)
    {
        IReadOnlyList<ConfigNode> items = node is ConfigSequence list ? list.Items : [node];
        if (items.Count == 0)
        {
            Errors.Add(node, $"{what} is an empty list; list at least one exit code, such as [0].");
            return null;
        }

        var codes = new List<int>();
        var ok = true;
        foreach (var item in items)
        {
            if (values.Integer(item, what, 0, 255, out int code))
            {
                if (!codes.Contains(code))
                {
                    codes.Add(code);
                }
            }
            else
            {
                ok = false;
            }
        }

        return ok ? codes : null;
    }

    private IEnumerable<(string Key, ConfigNode Value, string What)> Section(string service, string section, ConfigNode node, string what, string[] keys, string example)
    {
        if (!values.Mapping(node, what, example, out var settings))
        {
            yield break;
        }

        foreach (var (key, keyNode, value) in values.Keys(settings, what, keys))
        {
            positions.Record($"{service}/{section}/{key}", keyNode);
            yield return (key, value, $"{what}.{key}");
        }
    }

    private RestartBackoff ReadBackoff(string service, ConfigNode node, string what)
    {
        var backoff = RestartBackoff.Default;
        ConfigNode? maxNode = null;
        foreach (var (key, value, setting) in Section(service, "backoff", node, what, ConfigKeys.Backoff, "'{initial: 1s, max: 1m}'"))
        {
            switch (key)
            {
                case "initial" when values.Duration(value, setting, allowZero: true, out var initial):
                    backoff = backoff with { Initial = initial };
                    break;
                case "factor" when values.Number(value, setting, 1, 100, "2", out var factor):
                    backoff = backoff with { Factor = factor };
                    break;
                case "max" when values.Duration(value, setting, allowZero: true, out var max):
                    backoff = backoff with { Max = max };
                    maxNode = value;
                    break;
                case "jitter" when values.Number(value, setting, 0, 1, "0.1", out var jitter):
                    backoff = backoff with { Jitter = jitter };
                    break;
                case "reset_after" when values.Duration(value, setting, allowZero: false, out var reset):
                    backoff = backoff with { ResetAfter = reset };
                    break;
            }
        }

        if (backoff.Max < backoff.Initial)
        {
            Errors.Add(maxNode ?? node, $"{what}.max ({Durations.Format(backoff.Max)}) is shorter than initial ({Durations.Format(backoff.Initial)}); make max at least initial.");
            return RestartBackoff.Default;
        }

        return backoff;
    }

    private StartLimit ReadStartLimit(string service, ConfigNode node, string what)
    {
        var limit = StartLimit.Default;
        foreach (var (key, value, setting) in Section(service, "start_limit", node, what, ConfigKeys.StartLimit, "'{burst: 5, interval: 1m}'"))
        {
            switch (key)
            {
                case "burst" when values.Integer(value, setting, 1, 10_000, out int burst):
                    limit = limit with { Burst = burst };
                    break;
                case "interval" when values.Duration(value, setting, allowZero: false, out var interval):
                    limit = limit with { Interval = interval };
                    break;
                case "retry_after" when values.Duration(value, setting, allowZero: false, out var retry):
                    limit = limit with { RetryAfter = retry };
                    break;
            }
        }

        return limit;
    }

    private StopPolicy ReadStop(string service, ConfigNode node, string what)
    {
        var stop = StopPolicy.Default;
        foreach (var (key, value, setting) in Section(service, "stop", node, what, ConfigKeys.Stop, "'{signal: INT, grace: 5s}'"))
        {
            switch (key)
            {
                case "signal" when values.Signal(value, setting, out var signal):
                    stop = stop with { Signal = signal };
                    break;
                case "grace" when values.Duration(value, setting, allowZero: true, out var grace):
                    stop = stop with { Grace = grace };
                    break;
            }
        }

        return stop;
    }

    private ServiceLimits ReadLimits(string service, ConfigNode node, string what)
    {
        var limits = ServiceLimits.None;
        foreach (var (key, value, setting) in Section(service, "limits", node, what, ConfigKeys.Limits, "'{memory: 512M, cpu: 0.5, pids: 100}'"))
        {
            switch (key)
            {
                case "memory" when values.Size(value, setting, 1024 * 1024, out var memory):
                    limits = limits with { MemoryBytes = memory };
                    break;
                case "cpu" when values.Number(value, setting, 0.01, 4096, "0.5", out var cpus):
                    limits = limits with { Cpus = cpus };
                    break;
                case "pids" when values.Integer(value, setting, 1, 4_194_304, out int pids):
                    limits = limits with { Pids = pids };
                    break;
            }
        }

        return limits;
    }

    private LogPolicy ReadLogs(string service, ConfigNode node, string what)
    {
        var logs = LogPolicy.Default;
        foreach (var (key, value, setting) in Section(service, "logs", node, what, ConfigKeys.Logs, "'{max_size: 10MiB, keep: 3}'"))
        {
            switch (key)
            {
                case "max_size" when values.Size(value, setting, 4096, out var size):
                    logs = logs with { MaxSize = size };
                    break;
                case "keep" when values.Integer(value, setting, 0, 1000, out int keep):
                    logs = logs with { Keep = keep };
                    break;
            }
        }

        return logs;
    }
}
