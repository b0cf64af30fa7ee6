namespace Tether;

/// <summary>The pseudo-terminal of a run started with <see cref="Command.WithPseudoTerminal"/>.</summary>
public sealed partial class RunningProcess
{
    /// <summary>
    /// Resizes the run's pseudo-terminal to <paramref name="columns"/> × <paramref name="rows"/>; the kernel tells the
    /// program with SIGWINCH. Does nothing once the run has ended.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run has no pseudo-terminal.</exception>
    public void ResizeTerminal(int columns, int rows)
    {
        var size = new TerminalSize(columns, rows);
        if (_pipeline.Last.PseudoTerminal is null)
        {
            throw new InvalidOperationException("This run has no pseudo-terminal to resize; start it with Command.WithPseudoTerminal.");
        }

        if (!HasExited)
        {
            try
            {
                _tree.ResizeTerminal(size);
            }
            catch (ObjectDisposedException)
            {
                // The run ended between the check and the resize: nothing is left to tell.
            }
        }
    }
}
