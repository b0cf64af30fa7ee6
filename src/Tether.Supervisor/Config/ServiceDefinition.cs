using System.Globalization;
using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// One service of a <see cref="ServiceSet"/>: what to run, in what order, how to tell it is ready and alive, when to
/// restart it, how to stop it and what it may use. An immutable value with the documented defaults
/// (docs/formats/tether-yaml.md); two definitions are the same service when their <see cref="Fingerprint"/>s agree.
/// </summary>
public sealed record ServiceDefinition
{
    /// <summary>The service's name: letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, starting with a letter or digit.</summary>
    public required string Name { get; init; }

    /// <summary>What it runs.</summary>
    public required ServiceCommand Command { get; init; }

    /// <summary>The absolute working directory (default: the project directory).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set for it, on top of the supervisor's own environment (<c>env_file</c> first, then <c>env</c>).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The user to run as (name or uid), only where the supervisor runs as root; null runs as the supervisor's user.</summary>
    public string? User { get; init; }

    /// <summary>Services that must reach a condition before this one starts.</summary>
    public IReadOnlyList<Dependency> DependsOn { get; init; } = [];

    /// <summary>The readiness probe, or null (ready as soon as started).</summary>
    public ProbeDefinition? Ready { get; init; }

    /// <summary>The liveness probe, or null.</summary>
    public ProbeDefinition? Live { get; init; }

    /// <summary>When an ended process is started again.</summary>
    public RestartPolicy Restart { get; init; } = RestartPolicy.OnFailure;

    /// <summary>Exit codes that count as success (default: 0).</summary>
    public IReadOnlyList<int> OkExitCodes { get; init; } = [0];

    /// <summary>The delays between restarts.</summary>
    public RestartBackoff Backoff { get; init; } = RestartBackoff.Default;

    /// <summary>How many restarts in a window before giving up.</summary>
    public StartLimit StartLimit { get; init; } = StartLimit.Default;

    /// <summary>How it is stopped.</summary>
    public StopPolicy Stop { get; init; } = StopPolicy.Default;

    /// <summary>How many instances run (each gets <c>TETHER_INSTANCE</c>, from 0).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Resource limits of each instance's tree.</summary>
    public ServiceLimits Limits { get; init; } = ServiceLimits.None;

    /// <summary>Where its output is kept.</summary>
    public LogPolicy Logs { get; init; } = LogPolicy.Default;

    /// <summary>True when <paramref name="exitCode"/> counts as success.</summary>
    public bool IsOkExit(int exitCode)
    {
        foreach (var ok in OkExitCodes)
        {
            if (ok == exitCode)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A canonical text of every setting that changes how the service runs (not <see cref="Replicas"/>, which a reload
    /// applies by scaling): a reload restarts exactly the services whose fingerprint changed.
    /// </summary>
    /// <remarks>
    /// Built on each call, never cached in a field: <c>with</c> copies fields, so a cached text would outlive the change
    /// it describes (and make equal definitions unequal). It is read only when a set is compared or traced.
    /// </remarks>
    public string Fingerprint => BuildFingerprint(this);

    private static string BuildFingerprint(ServiceDefinition service)
    {
        var text = new StringBuilder();
        void Add(string key, object? value) => text.Append(key).Append('=').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\u001f');

        Add("command", service.Command switch
        {
            ServiceCommand.Exec exec => "exec:" + string.Join('\u001e', exec.Arguments),
            ServiceCommand.Shell shell => "shell:" + shell.Script,
            _ => "?",
        });
        Add("cwd", service.WorkingDirectory);
        foreach (var (key, value) in service.Environment.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Add("env." + key, value);
        }

        Add("user", service.User);
        foreach (var dependency in service.DependsOn)
        {
            Add("depends_on." + dependency.Service, dependency.Condition);
        }

        AddProbe("ready", service.Ready);
        AddProbe("live", service.Live);
        Add("restart", service.Restart);
        Add("ok_exit_codes", string.Join(',', service.OkExitCodes));
        Add("backoff", service.Backoff);
        Add("start_limit", service.StartLimit);
        Add("stop", $"{service.Stop.Signal.Number}/{service.Stop.Grace.Ticks}");
        Add("limits", service.Limits);
        Add("logs", service.Logs);
        return text.ToString();

        void AddProbe(string role, ProbeDefinition? probe)
        {
            if (probe is null)
            {
                return;
            }

            Add(role, $"{probe.Kind}|{(probe.Command is null ? "" : string.Join('\u001e', probe.Command))}|{probe.Url}|{probe.Host}:{probe.Port}|{probe.Pattern}|" +
                $"{probe.Period.Ticks}|{probe.Timeout.Ticks}|{probe.InitialDelay.Ticks}|{probe.SuccessThreshold}|{probe.FailureThreshold}");
        }
    }
}
