using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// One simple command of a shell line (<see cref="ShellLine"/>): a program and its arguments, with the prefixes that
/// only change how it runs (<c>sudo -u root</c>, <c>env FOO=1</c>, <c>nohup</c>, <c>VAR=value</c>) taken off, and its
/// redirections set apart. Immutable.
/// </summary>
public sealed class SimpleCommand
{
    private const int ShownLength = 200;

    internal SimpleCommand(
        ImmutableArray<string> words,
        ImmutableArray<string> prefix,
        ImmutableArray<string> wrappers,
        ImmutableArray<Redirection> redirections,
        string text,
        int start,
        int length,
        int pipeline,
        int stage,
        SimpleCommand? parent,
        bool fromSubstitution)
    {
        Words = words;
        Prefix = prefix;
        Wrappers = wrappers;
        Redirections = redirections;
        Text = text;
        Start = start;
        Length = length;
        Pipeline = pipeline;
        Stage = stage;
        Parent = parent;
        FromSubstitution = fromSubstitution;
    }

    /// <summary>
    /// The program and its arguments, unquoted (<c>"a b"</c> is the one word <c>a b</c>, <c>\r\m</c> is <c>rm</c>),
    /// without prefixes and redirections. Expansions are not performed: <c>$HOME</c>, <c>$(pwd)</c> and <c>*</c> stay
    /// as written. Empty for a command of assignments or redirections only (<c>FOO=1</c>, <c>&gt; out.txt</c>).
    /// </summary>
    public ImmutableArray<string> Words { get; }

    /// <summary>The program as written (the first of <see cref="Words"/>, possibly a path such as <c>/bin/rm</c>); null
    /// when <see cref="Words"/> is empty.</summary>
    public string? Program => Words.IsEmpty ? null : Words[0];

    /// <summary>The words taken off the front, unquoted: assignments (<c>FOO=1</c>) and wrappers with their options
    /// (<c>sudo</c>, <c>-u</c>, <c>root</c>).</summary>
    public ImmutableArray<string> Prefix { get; }

    /// <summary>The wrapper programs taken off the front, in order, as written (<c>sudo</c>, <c>env</c>): the
    /// <see cref="Program"/> runs under them. A wrapper with nothing to run (<c>sudo -i</c>) is the program
    /// itself.</summary>
    public ImmutableArray<string> Wrappers { get; }

    /// <summary>The redirections, in order.</summary>
    public ImmutableArray<Redirection> Redirections { get; }

    /// <summary>The command's text as the shell that runs it sees it, prefixes included (<c>sudo rm -rf /x</c>). For a
    /// command inside a quoted script (<c>bash -c "rm \"$x\""</c>) that is the unquoted script's text
    /// (<c>rm "$x"</c>); <see cref="Start"/> and <see cref="Length"/> still point into the original line.</summary>
    public string Text { get; }

    /// <summary>Where the command starts in the original line (0-based, in UTF-16 code units).</summary>
    public int Start { get; }

    /// <summary>How far the command reaches in the original line, from <see cref="Start"/>.</summary>
    public int Length { get; }

    /// <summary>Which pipeline of the line the command belongs to: commands joined by <c>|</c> share the number.</summary>
    public int Pipeline { get; }

    /// <summary>The command's position in its pipeline: 0 for the first, 1 for the one reading its output, …</summary>
    public int Stage { get; }

    /// <summary>The command this one is nested in — the <c>bash</c> of <c>bash -c '…'</c> or of
    /// <c>echo '…' | bash</c>, the <c>echo</c> of <c>echo $(date)</c>, the <c>find</c> of <c>find -exec</c> — or null
    /// at the top level (subshells and groups do not count as nesting).</summary>
    public SimpleCommand? Parent { get; }

    /// <summary>True when the command runs in a command or process substitution of <see cref="Parent"/>'s words, so
    /// its output becomes part of them (<c>bash -c "$(curl …)"</c>, <c>source &lt;(curl …)</c>).</summary>
    internal bool FromSubstitution { get; }

    /// <inheritdoc/>
    public override string ToString() => Cap(Text);

    // Command lines can hold secrets; what ends up in logs is capped.
    internal static string Cap(string text) => text.Length <= ShownLength ? text : string.Concat(text.AsSpan(0, ShownLength), "…");
}
