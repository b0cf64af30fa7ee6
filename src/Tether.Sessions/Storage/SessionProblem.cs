namespace Tether.Sessions;

/// <summary>
/// Something in a session file that was not read as a normal line: a torn final line, a corrupt line, a line of an
/// unknown kind, a line out of place, or a footer that disagrees with the commands read. The rest of the file still
/// loads; the problem says where (<see cref="Line"/>, 1-based, counting every line of the file) and what.
/// </summary>
/// <param name="Line">The 1-based line number in the file.</param>
/// <param name="Kind">One of <see cref="SessionProblemKinds"/>.</param>
/// <param name="Detail">What was wrong, in words.</param>
public sealed record SessionProblem(int Line, string Kind, string Detail)
{
    /// <summary>Whether this is damage rather than the normal trace of a crash or of a newer writer: a corrupt line,
    /// a line out of place or a footer that disagrees with the commands read.</summary>
    public bool IsDamage => Kind is SessionProblemKinds.CorruptLine or SessionProblemKinds.OutOfPlace or SessionProblemKinds.CountMismatch;

    /// <inheritdoc/>
    public override string ToString() => $"line {Line}: {Kind}: {Detail}";
}

/// <summary>The kinds of <see cref="SessionProblem"/> (docs/formats/session.md, "Reading").</summary>
public static class SessionProblemKinds
{
    /// <summary>The last line has no newline and is not valid JSON: the writer was cut off (a crash, a full disk). Normal
    /// after a crash; the line is skipped, and the next append cuts it off into a sidecar file.</summary>
    public const string TornLine = "torn-line";

    /// <summary>A complete line that is not valid JSON, is not an object, or lacks a field or has one of the wrong type.
    /// Skipped.</summary>
    public const string CorruptLine = "corrupt-line";

    /// <summary>A line whose <c>type</c> this version does not know (a newer writer's). Skipped.</summary>
    public const string UnknownKind = "unknown-kind";

    /// <summary>A second header (skipped: the first one counts), or an earlier footer that a later one replaces.</summary>
    public const string OutOfPlace = "out-of-place";

    /// <summary>The footer's <c>command_count</c> differs from the number of commands read (often because a command
    /// line was corrupt). Reported at the footer's line; the commands read are kept.</summary>
    public const string CountMismatch = "count-mismatch";
}
