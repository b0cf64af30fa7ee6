namespace Tether.Supervisor;

/// <summary>
/// Every key tether.yaml accepts, by where it may appear. The loader refuses any other key (with the closest of these
/// as a suggestion), and a spec checks that the JSON Schema declares exactly these, so the two cannot drift.
/// </summary>
internal static class ConfigKeys
{
    public static readonly string[] TopLevel = ["version", "services"];

    public static readonly string[] Service =
    [
        "command", "shell", "cwd", "env", "env_file", "user", "depends_on", "ready", "live", "restart", "ok_exit_codes",
        "backoff", "start_limit", "stop", "replicas", "limits", "logs",
    ];

    public static readonly string[] Dependency = ["condition"];

    public static readonly string[] ProbeKinds = ["exec", "http", "tcp", "log", "heartbeat"];

    public static readonly string[] Probe = [.. ProbeKinds, "period", "timeout", "initial_delay", "success_threshold", "failure_threshold"];

    public static readonly string[] Backoff = ["initial", "factor", "max", "jitter", "reset_after"];

    public static readonly string[] StartLimit = ["burst", "interval", "retry_after"];

    public static readonly string[] Stop = ["signal", "grace"];

    public static readonly string[] Limits = ["memory", "cpu", "pids"];

    public static readonly string[] Logs = ["max_size", "keep"];

    /// <summary>The most names a suggestion is chosen from.</summary>
    private const int MaxCandidates = 1000;

    /// <summary>Keys other tools use, and the tether.yaml key that does the job, for a better suggestion than spelling.</summary>
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["environment"] = "env",
        ["working_dir"] = "cwd",
        ["workdir"] = "cwd",
        ["directory"] = "cwd",
        ["healthcheck"] = "ready",
        ["readiness_probe"] = "ready",
        ["liveness_probe"] = "live",
        ["depends"] = "depends_on",
        ["scale"] = "replicas",
        ["stop_signal"] = "stop",
        ["exit_codes"] = "ok_exit_codes",
        ["autorestart"] = "restart",
        ["availability"] = "restart",
        ["entrypoint"] = "command",
    };

    /// <summary>
    /// Every key path the loader accepts, <c>*</c> standing for a name the user chooses (a service, a dependency):
    /// <c>services.*.backoff.initial</c>.
    /// </summary>
    public static IReadOnlySet<string> Paths()
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var key in TopLevel)
        {
            paths.Add(key);
        }

        foreach (var key in Service)
        {
            paths.Add("services.*." + key);
        }

        Under("services.*.depends_on.*", Dependency);
        Under("services.*.ready", Probe);
        Under("services.*.live", Probe);
        Under("services.*.backoff", Backoff);
        Under("services.*.start_limit", StartLimit);
        Under("services.*.stop", Stop);
        Under("services.*.limits", Limits);
        Under("services.*.logs", Logs);
        return paths;

        void Under(string prefix, string[] keys)
        {
            foreach (var key in keys)
            {
                paths.Add(prefix + "." + key);
            }
        }
    }

    /// <summary>The accepted key (or value) <paramref name="written"/> most likely meant, or null when none is close.</summary>
    public static string? Closest(string written, IEnumerable<string> accepted)
    {
        var candidates = accepted as IReadOnlyCollection<string> ?? accepted.ToList();
        if (candidates.Count > MaxCandidates)
        {
            // Suggesting among thousands of names (a generated file's services) would cost more than it helps.
            return null;
        }

        if (Synonyms.TryGetValue(written, out var synonym) && candidates.Contains(synonym))
        {
            return synonym;
        }

        var normalized = written.ToLowerInvariant().Replace('-', '_');
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = EditDistance(normalized, candidate.Replace('-', '_'));
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Close enough to be a typo: one edit in a short word, up to a third of a longer one.
        return best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)) ? best : null;
    }

    /// <summary>" (did you mean 'X'?)" when one is close, else "".</summary>
    public static string DidYouMean(string written, IEnumerable<string> accepted) =>
        Closest(written, accepted) is { } closest ? $" (did you mean '{closest}'?)" : "";

    /// <summary>The Levenshtein distance: insertions, deletions and substitutions that turn one text into the other.</summary>
    public static int EditDistance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return Math.Max(a.Length, b.Length);
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
