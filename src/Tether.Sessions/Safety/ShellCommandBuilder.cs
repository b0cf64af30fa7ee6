using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>A simple command being read; once emitted it knows its text and its span in the line, once
/// <see cref="NestedCommandExpander"/> has read it its prefixes, and
/// <see cref="ShellLine.Parse"/> freezes it into a <see cref="SimpleCommand"/>.</summary>
internal sealed class ShellCommandBuilder(int start, ShellCommandBuilder? parent, bool fromSubstitution)
{
    /// <summary>Where the command starts in its parser's text.</summary>
    public int Start { get; } = start;

    /// <summary>Where its last token ends (exclusive) in its parser's text.</summary>
    public int End { get; set; } = start;

    public ShellCommandBuilder? Parent { get; } = parent;

    public bool FromSubstitution { get; } = fromSubstitution;

    public List<ShellWordBuilder> Words { get; } = [];

    public List<RedirectionBuilder> Redirections { get; } = [];

    public bool IsEmpty => Words.Count == 0 && Redirections.Count == 0;

    // Known once emitted.
    public bool Emitted { get; set; }

    public string Text { get; set; } = "";

    public int LineStart { get; set; }

    public int LineEnd { get; set; }

    public int Pipeline { get; set; }

    public int Stage { get; set; }

    public ImmutableArray<string> EffectiveWords { get; set; } = [];

    public ImmutableArray<string> PrefixWords { get; set; } = [];

    public ImmutableArray<string> Wrappers { get; set; } = [];

    /// <summary>Index in <see cref="Words"/> of the program, after the prefixes.</summary>
    public int ProgramIndex { get; set; }

    public ImmutableArray<Redirection> FrozenRedirections =>
        [.. Redirections.Select(r => new Redirection(r.Operator, r.Target, r.HereDocument))];
}
