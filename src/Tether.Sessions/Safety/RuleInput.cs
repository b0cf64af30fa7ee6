namespace Tether.Sessions;

/// <summary>What a command rule looks at: the simple command, its lower-case view, and the line it is part of (for
/// pipelines, nesting and the functions the line defines).</summary>
internal sealed class RuleInput(SimpleCommand command, LineIndex index)
{
    public SimpleCommand Command { get; } = command;

    public ShellLine Line => Index.Line;

    public CommandView View => Index.View(Command);

    private LineIndex Index { get; } = index;

    /// <summary>The command just before this one in its pipeline (<c>echo … | psql</c>: echo, for psql), or null.</summary>
    public SimpleCommand? Feeder => Command.Stage > 0 ? Index.Stage(Command.Pipeline, Command.Stage - 1) : null;

    /// <summary>The view of another command of the line.</summary>
    public CommandView ViewOf(SimpleCommand other) => Index.View(other);

    /// <summary>True when a command before this one in its pipeline is one of <paramref name="programs"/>
    /// (<c>curl … | tee x | sh</c>: curl, for sh).</summary>
    public bool UpstreamIsAny(params string[] programs) =>
        Index.FirstStageOf(Command.Pipeline, programs) < Command.Stage;

    /// <summary>True when one of <paramref name="programs"/> runs in a substitution of this command's words
    /// (<c>bash -c "$(curl …)"</c>, <c>source &lt;(curl …)</c>).</summary>
    public bool SubstitutesAny(params string[] programs) =>
        Index.Children(Command).Any(c => c.FromSubstitution && programs.Contains(Index.View(c).Program));

    /// <summary>True when the line defines a function named <paramref name="name"/>.</summary>
    public bool DefinesFunction(string name) => Index.DefinesFunction(name);
}
