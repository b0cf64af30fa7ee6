using System.Globalization;
using System.Text.RegularExpressions;

namespace Tether.Supervisor;

internal sealed partial class ServiceReader
{
    private ProbeDefinition? ReadProbe(string service, string role, ConfigNode node, string what)
    {
        if (!values.Mapping(node, what, "'{tcp: 8080, period: 2s}'", out var settings))
        {
            return null;
        }

        var probe = new ProbeDefinition { Kind = ProbeKind.Exec };
        string? kind = null;
        var usable = true;
        foreach (var (key, keyNode, value) in values.Keys(settings, what, ConfigKeys.Probe))
        {
            positions.Record($"{service}/{role}/{key}", keyNode);
            var setting = $"{what}.{key}";
            if (ConfigKeys.ProbeKinds.Contains(key, StringComparer.Ordinal))
            {
                if (kind is not null)
                {
                    Errors.Add(keyNode, $"{what} has both {kind}: and {key}:; a probe checks one thing, so keep one (a service has one ready: and one live: probe).");
                    continue;
                }

                kind = key;
                var read = ReadProbeTarget(probe, key, value, setting);
                usable &= read is not null;
                probe = read ?? probe;
                continue;
            }

            switch (key)
            {
                case "period" when values.Duration(value, setting, allowZero: false, out var period):
                    probe = probe with { Period = period };
                    break;
                case "timeout" when values.Duration(value, setting, allowZero: false, out var timeout):
                    probe = probe with { Timeout = timeout };
                    break;
                case "initial_delay" when values.Duration(value, setting, allowZero: true, out var delay):
                    probe = probe with { InitialDelay = delay };
                    break;
                case "success_threshold" when values.Integer(value, setting, 1, 1000, out int successes):
                    probe = probe with { SuccessThreshold = successes };
                    break;
                case "failure_threshold" when values.Integer(value, setting, 1, 1000, out int failures):
                    probe = probe with { FailureThreshold = failures };
                    break;
            }
        }

        if (kind is null)
        {
            Errors.Add(node, $"{what} must say what to check with one of exec: [program, arg], http: URL, tcp: PORT, log: PATTERN or heartbeat: true.");
            return null;
        }

        return usable ? probe : null;
    }

    private ProbeDefinition? ReadProbeTarget(ProbeDefinition probe, string kind, ConfigNode value, string what)
    {
        switch (kind)
        {
            case "exec":
                if (value is ConfigScalar { IsNull: false } line)
                {
                    if (ShellWords.TrySplit(line.Value, out var words, out var syntax))
                    {
                        return probe with { Kind = ProbeKind.Exec, Command = words };
                    }

                    Errors.Add(value, $"{what} '{ConfigScalar.Shorten(line.Value)}' needs a shell ({syntax}); write it as a list such as [sh, -c, \"…\"].");
                    return null;
                }

                var arguments = ReadArguments(value, what);
                return arguments is null ? null : probe with { Kind = ProbeKind.Exec, Command = arguments };
            case "http":
                if (values.Text(value, what, out var text)
                    && Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0)
                {
                    return probe with { Kind = ProbeKind.Http, Url = url };
                }

                if (value is ConfigScalar { IsNull: false })
                {
                    Errors.Add(value, $"{what} must be an http:// or https:// URL, such as http://127.0.0.1:8000/health.");
                }

                return null;
            case "tcp":
                return ReadTcp(probe, value, what);
            case "log":
                if (!values.Text(value, what, out var pattern))
                {
                    return null;
                }

                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException exception)
                {
                    Errors.Add(value, $"{what} is not a valid regular expression ({exception.Message.ReplaceLineEndings(" ")}); fix the pattern (escape special characters with \\).");
                    return null;
                }

                return probe with { Kind = ProbeKind.Log, Pattern = pattern };
            default:
                if (value is ConfigScalar { IsPlain: true, Value: "true" or "True" or "TRUE" })
                {
                    return probe with { Kind = ProbeKind.Heartbeat };
                }

                Errors.Add(value, $"{what} must be true (the service sends heartbeats to TETHER_WATCH_SOCKET; silence past timeout: fails); to check nothing, remove the probe.");
                return null;
        }
    }

    private ProbeDefinition? ReadTcp(ProbeDefinition probe, ConfigNode value, string what)
    {
        if (value is ConfigScalar { IsNull: false } scalar)
        {
            var text = scalar.Value;
            var colon = text.LastIndexOf(':');
            var host = colon < 0 ? probe.Host : text[..colon].Trim('[', ']');
            var portText = colon < 0 ? text : text[(colon + 1)..];
            if (host.Length > 0 && !host.Contains(' ', StringComparison.Ordinal)
                && int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535)
            {
                return probe with { Kind = ProbeKind.Tcp, Host = host, Port = port };
            }
        }

        Errors.Add(value, $"{what} must be a port from 1 to 65535 (on 127.0.0.1) or HOST:PORT, such as 5432 or db.local:5432; got {value.Describe()}.");
        return null;
    }
}
