using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>Totals over one or more sessions: how many commands ran, how many failed, how long they took, and which programs were used most.</summary>
public sealed record SessionStatistics
{
    /// <summary>How many programs <see cref="Of"/> lists unless told otherwise.</summary>
    public const int DefaultTopPrograms = 10;

    /// <summary>How many sessions were counted.</summary>
    public required int Sessions { get; init; }

    /// <summary>How many commands the sessions hold.</summary>
    public required int Commands { get; init; }

    /// <summary>How many commands exited with a non-zero code (a command without a recorded exit code is not counted).</summary>
    public required int Failed { get; init; }

    /// <summary>The sum of the commands' durations; a command without a recorded duration adds nothing.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// The most used programs (the first whitespace-separated word of each command line), most used first, ties in
    /// ordinal order of the name; blank command lines are not counted.
    /// </summary>
    public required ImmutableArray<ProgramUsage> Programs { get; init; }

    /// <summary>Counts the commands of <paramref name="sessions"/>, listing at most <paramref name="topPrograms"/> programs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="topPrograms"/> is negative.</exception>
    public static SessionStatistics Of(IEnumerable<Session> sessions, int topPrograms = DefaultTopPrograms)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentOutOfRangeException.ThrowIfNegative(topPrograms);
        var counted = sessions.ToList();
        var commands = counted.SelectMany(s => s.Commands).ToList();
        return new SessionStatistics
        {
            Sessions = counted.Count,
            Commands = commands.Count,
            Failed = commands.Count(c => c.ExitCode is { } code && code != 0),
            Duration = commands.Aggregate(TimeSpan.Zero, (sum, c) => sum + (c.Duration ?? TimeSpan.Zero)),
            Programs =
            [
                .. commands
                    .Select(c => c.Command.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault())
                    .OfType<string>()
                    .GroupBy(p => p, StringComparer.Ordinal)
                    .Select(g => new ProgramUsage(g.Key, g.Count()))
                    .OrderByDescending(p => p.Count)
                    .ThenBy(p => p.Program, StringComparer.Ordinal)
                    .Take(topPrograms),
            ],
        };
    }
}
