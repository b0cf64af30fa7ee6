namespace Tether.Sessions;

/// <summary>A dangerous part of a command line, found by <see cref="DangerCheck.Check(string, DangerRules)"/>.</summary>
public sealed record DangerFinding
{
    /// <summary>The id of the rule that matched (<c>rm_recursive_root</c>, or a custom pattern's id).</summary>
    public required string RuleId { get; init; }

    /// <summary>Why it is dangerous, in words.</summary>
    public required string Reason { get; init; }

    /// <summary>The offending simple command's text (<see cref="SimpleCommand.Text"/>) — or the whole line, for a
    /// line that does not parse.</summary>
    public required string Command { get; init; }

    /// <summary>Where the offending part starts in the line (0-based).</summary>
    public required int Start { get; init; }

    /// <summary>How long the offending part is in the line.</summary>
    public required int Length { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{RuleId}: {Reason}: {SimpleCommand.Cap(Command)}";
}
