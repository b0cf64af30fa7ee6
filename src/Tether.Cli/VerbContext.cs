namespace Tether.Cli;

/// <summary>What every verb works with, given once by <see cref="TetherApp"/> to the whole tree of verbs.</summary>
/// <param name="Console">Where the verb writes and reads: the real console, or a test's captured one.</param>
/// <param name="Interruption">The user's stop requests (Ctrl+C, SIGTERM, SIGHUP).</param>
/// <param name="Runner">Starts programs: the real runner unless a test passes another.</param>
internal sealed record VerbContext(CliConsole Console, Interruption Interruption, IProcessRunner Runner)
{
    /// <summary>The invocation's <c>--json</c> output: every JSON document a verb prints goes through it.</summary>
    public JsonOutput Json { get; } = new(Console);
}
