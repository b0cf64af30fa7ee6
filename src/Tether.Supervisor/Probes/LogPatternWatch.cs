using System.Text.RegularExpressions;
using Tether.Supervisor.Running;

namespace Tether.Supervisor.Probes;

/// <summary>
/// The <c>log</c> probes of one run: each line of its output is matched against their patterns, and a match is
/// reported as a passed check. A readiness pattern is reported once and then no longer matched (it has done its job,
/// and a flooding service should not pay for it); a liveness pattern at most once per probe period.
/// </summary>
/// <remarks>Called from both output pumps at once; the report flags are swapped atomically.</remarks>
internal sealed class LogPatternWatch
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);
    private readonly Entry[] _entries;
    private readonly TimeProvider _time;
    private readonly Action<InstanceRun, ProbeRole, string> _matched;
    private readonly InstanceRun _run;

    private LogPatternWatch(InstanceRun run, Entry[] entries, TimeProvider time, Action<InstanceRun, ProbeRole, string> matched)
    {
        _run = run;
        _entries = entries;
        _time = time;
        _matched = matched;
    }

    /// <summary>The watch for <paramref name="run"/>'s log probes, or null when it has none.</summary>
    /// <exception cref="ArgumentException">A pattern is not a valid regular expression.</exception>
    public static LogPatternWatch? For(InstanceRun run, TimeProvider time, Action<InstanceRun, ProbeRole, string> matched)
    {
        var entries = new List<Entry>(2);
        Add(run.Service.Ready, ProbeRole.Readiness);
        Add(run.Service.Live, ProbeRole.Liveness);
        return entries.Count == 0 ? null : new LogPatternWatch(run, [.. entries], time, matched);

        void Add(ProbeDefinition? probe, ProbeRole role)
        {
            if (probe is { Kind: ProbeKind.Log })
            {
                try
                {
                    entries.Add(new Entry(role, new Regex(probe.Pattern ?? "", RegexOptions.CultureInvariant, MatchTimeout), probe.Period));
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentException($"The log probe's pattern '{probe.Pattern}' is not a valid regular expression: {ex.Message}", ex);
                }
            }
        }
    }

    /// <summary>Matches one line of output.</summary>
    public void Offer(string line)
    {
        foreach (var entry in _entries)
        {
            if (Volatile.Read(ref entry.Done))
            {
                continue;
            }

            var now = _time.GetTimestamp();
            var last = Interlocked.Read(ref entry.LastReport);
            if (last != 0 && _time.GetElapsedTime(last, now) < entry.Period)
            {
                continue;
            }

            bool matches;
            try
            {
                matches = entry.Pattern.IsMatch(line);
            }
            catch (RegexMatchTimeoutException)
            {
                matches = false;
            }

            if (!matches || Interlocked.CompareExchange(ref entry.LastReport, now, last) != last)
            {
                continue;
            }

            if (entry.Role == ProbeRole.Readiness)
            {
                Volatile.Write(ref entry.Done, true);
            }

            _matched(_run, entry.Role, "matched: " + (line.Length > 200 ? line[..200] : line));
        }
    }

    private sealed class Entry(ProbeRole role, Regex pattern, TimeSpan period)
    {
        public readonly ProbeRole Role = role;
        public readonly Regex Pattern = pattern;
        public readonly TimeSpan Period = period;
        public long LastReport;
        public bool Done;
    }
}
