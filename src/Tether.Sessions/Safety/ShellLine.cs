using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// One shell command line taken apart into the simple commands it would run — what danger detection checks, one by one,
/// instead of the whole line (issue 6: rec anchored its patterns at the start of the line and missed
/// <c>cd x &amp;&amp; rm -rf y</c>).
/// </summary>
/// <remarks>
/// <para>The line is read the way bash tokenises it, closely enough to find every command it runs: it is split on
/// <c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>, <c>|&amp;</c>, <c>&amp;</c> and newlines; subshells
/// <c>( … )</c>, groups <c>{ …; }</c>, command substitutions <c>$( … )</c> and <c>` … `</c>, process substitutions
/// <c>&lt;( … )</c>, substitutions inside <c>${ … }</c> and inside double quotes, unquoted here-documents, the
/// scripts of <c>sh -c '…'</c> / <c>bash -c "…"</c> / <c>su -c '…'</c> / <c>eval …</c>, the script a shell reads
/// from its input (<c>sh &lt;&lt;&lt; '…'</c>, <c>bash &lt;&lt;EOF</c>, <c>cat &lt;&lt;EOF | sh</c>,
/// <c>echo '…' | sh</c>) and the commands <c>find … -exec … \;</c> runs are descended into. Quotes
/// (single, double, <c>$'…'</c>) and backslashes are honoured, so <c>echo "rm -rf /"</c> is one command,
/// <c>echo</c>; a <c>#</c> at the start of a word starts a comment. Reserved words (<c>if</c>, <c>then</c>,
/// <c>do</c>, <c>{</c>, <c>!</c>, …) are dropped, function definitions (<c>f() …</c>, <c>function f …</c>) are
/// recorded in <see cref="Functions"/>.</para>
/// <para>Nothing is expanded: <c>$HOME</c>, <c>$(pwd)</c> and globs stay as written in <see cref="SimpleCommand.Words"/>.
/// Aliases and functions defined elsewhere are unknown.</para>
/// <para>Parsing never throws. A line that does not parse completely — an unterminated quote or substitution, a
/// redirection without a target, nesting deeper than 24 levels — still yields the commands read so far (an
/// unterminated quote runs to the end of the line), and says what went wrong in <see cref="Problems"/>.</para>
/// </remarks>
public sealed class ShellLine
{
    private ShellLine(string text, ImmutableArray<SimpleCommand> commands, ImmutableArray<string> functions, ImmutableArray<string> problems)
    {
        Text = text;
        Commands = commands;
        Functions = functions;
        Problems = problems;
    }

    /// <summary>The line as given.</summary>
    public string Text { get; }

    /// <summary>The simple commands, ordered by where they start in <see cref="Text"/> (an enclosing command before the
    /// commands nested in it). Empty for an empty line, a comment, or a line of reserved words only.</summary>
    public ImmutableArray<SimpleCommand> Commands { get; }

    /// <summary>The names of the shell functions the line defines (<c>deploy() { …; }</c>), in order.</summary>
    public ImmutableArray<string> Functions { get; }

    /// <summary>What kept the line from parsing completely, in words with 0-based positions (such as
    /// <c>unterminated double quote opened at 5</c>); empty when it parsed completely.</summary>
    public ImmutableArray<string> Problems { get; }

    /// <summary>True when the line parsed completely (<see cref="Problems"/> is empty).</summary>
    public bool IsComplete => Problems.IsEmpty;

    /// <summary>Takes a command line apart. Never throws on any text.</summary>
    /// <param name="commandLine">The line, possibly with newlines (a multi-line command).</param>
    /// <exception cref="ArgumentNullException"><paramref name="commandLine"/> is null.</exception>
    public static ShellLine Parse(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var state = new ShellParseState(commandLine);
        ShellParser.ParseLine(state);

        // The same command can be reached twice: a substitution inside the double-quoted script of `bash -c "…"` is
        // read once as part of bash's argument and again as part of the script. Both map to the same span of the
        // line; the first reading wins (it knows its enclosing command best).
        var kept = new Dictionary<(int, int), ShellCommandBuilder>();
        var order = new List<ShellCommandBuilder>();
        foreach (var command in state.Commands)
        {
            if (kept.TryAdd((command.LineStart, command.LineEnd), command))
            {
                order.Add(command);
            }
        }

        var sorted = order
            .Select((command, index) => (command, index))
            .OrderBy(x => x.command.LineStart)
            .ThenByDescending(x => x.command.LineEnd)
            .ThenBy(x => x.index)
            .Select(x => x.command)
            .ToList();

        var frozen = new Dictionary<ShellCommandBuilder, SimpleCommand?>();
        var commands = ImmutableArray.CreateBuilder<SimpleCommand>(sorted.Count);
        foreach (var command in sorted)
        {
            commands.Add(Freeze(command, kept, frozen)!);
        }

        return new ShellLine(commandLine, commands.MoveToImmutable(), [.. state.Functions], [.. state.Problems]);
    }

    /// <summary>The simple commands of a command line: <c>Parse(commandLine).Commands</c>.</summary>
    /// <param name="commandLine">The line.</param>
    /// <exception cref="ArgumentNullException"><paramref name="commandLine"/> is null.</exception>
    public static ImmutableArray<SimpleCommand> Split(string commandLine) => Parse(commandLine).Commands;

    /// <inheritdoc/>
    public override string ToString() => SimpleCommand.Cap(Text);

    // Returns null only for a command already being frozen further down the stack (a cycle through duplicates, which
    // the parser should never produce; the guard keeps a surprise from becoming a stack overflow).
    private static SimpleCommand? Freeze(
        ShellCommandBuilder command,
        Dictionary<(int, int), ShellCommandBuilder> kept,
        Dictionary<ShellCommandBuilder, SimpleCommand?> frozen)
    {
        if (frozen.TryGetValue(command, out var done))
        {
            return done;
        }

        frozen[command] = null;

        // The enclosing command: the nearest ancestor that was emitted, as kept after removing duplicates.
        SimpleCommand? parent = null;
        for (var ancestor = command.Parent; ancestor is not null; ancestor = ancestor.Parent)
        {
            if (ancestor.Emitted && kept.TryGetValue((ancestor.LineStart, ancestor.LineEnd), out var keptAncestor))
            {
                parent = Freeze(keptAncestor, kept, frozen);
                if (parent is not null)
                {
                    break;
                }
            }
        }

        var simple = new SimpleCommand(
            words: command.EffectiveWords,
            prefix: command.PrefixWords,
            wrappers: command.Wrappers,
            redirections: command.FrozenRedirections,
            text: command.Text,
            start: command.LineStart,
            length: command.LineEnd - command.LineStart,
            pipeline: command.Pipeline,
            stage: command.Stage,
            parent: parent,
            fromSubstitution: command.FromSubstitution);
        frozen[command] = simple;
        return simple;
    }
}
