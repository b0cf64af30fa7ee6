namespace Tether.Sessions;

/// <summary>
/// One thing <see cref="DangerRules"/> calls dangerous: an id, the reason, and a matcher on a parsed simple command
/// (its program, flags, operands, redirections, pipeline) — never a regular expression on the raw line, except for a
/// custom pattern, which is one on each simple command's text.
/// </summary>
public sealed class DangerRule
{
    private readonly Func<RuleInput, bool>? _command;
    private readonly Func<ShellLine, string?>? _line;

    private DangerRule(string id, string reason, DangerPreset? preset, Func<RuleInput, bool>? command, Func<ShellLine, string?>? line)
    {
        Id = id;
        Reason = reason;
        Preset = preset;
        _command = command;
        _line = line;
    }

    /// <summary>The id, in snake_case for the built-in rules (<c>rm_recursive_force</c>).</summary>
    public string Id { get; }

    /// <summary>Why a match is dangerous, in words.</summary>
    public string Reason { get; }

    /// <summary>The smallest preset that includes the rule; null for a custom pattern.</summary>
    public DangerPreset? Preset { get; }

    /// <summary>True for a custom pattern (<see cref="DangerRules.WithPattern"/>).</summary>
    public bool IsCustom => Preset is null;

    /// <inheritdoc/>
    public override string ToString() => Id;

    internal bool IsLineRule => _line is not null;

    internal static DangerRule ForCommand(string id, string reason, DangerPreset? preset, Func<RuleInput, bool> matches) =>
        new(id, reason, preset, matches, null);

    /// <summary>A rule on the line as a whole; its matcher returns a detail for the reason, or null for no match.</summary>
    internal static DangerRule ForLine(string id, string reason, DangerPreset preset, Func<ShellLine, string?> matches) =>
        new(id, reason, preset, null, matches);

    internal bool Matches(RuleInput input) => _command is not null && _command(input);

    internal string? Matches(ShellLine line) => _line?.Invoke(line);
}
