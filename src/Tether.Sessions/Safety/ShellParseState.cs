namespace Tether.Sessions;

/// <summary>What every parser working on one line shares: the commands found, the functions defined, the problems met,
/// and the budget that keeps nested re-reading (a <c>bash -c</c> inside a <c>bash -c</c> inside …) linear enough.</summary>
internal sealed class ShellParseState
{
    private const int MaxProblems = 8;

    public ShellParseState(string line)
    {
        Line = line;

        // Each nested script is read again by its own parser; the budget caps the total characters read that way.
        Budget = 65_536 + (64L * line.Length);
    }

    public string Line { get; }

    public List<ShellCommandBuilder> Commands { get; } = [];

    public List<string> Functions { get; } = [];

    public List<string> Problems { get; } = [];

    /// <summary>Set once parsing gave up (too deep, too costly): every loop stops at its next turn.</summary>
    public bool Aborted { get; private set; }

    public long Budget { get; set; }

    private int _pipelines;

    public int NextPipeline() => _pipelines++;

    /// <summary>
    /// The command at <paramref name="stage"/> of <paramref name="pipeline"/>, if it was found lately: the search is
    /// bounded so that a line of many pipelines stays linear (a stage not among the latest commands is one with too
    /// much nested in it to matter).
    /// </summary>
    public ShellCommandBuilder? RecentStage(int pipeline, int stage)
    {
        for (var i = Commands.Count - 1; i >= Math.Max(0, Commands.Count - 64); i--)
        {
            if (Commands[i].Pipeline == pipeline && Commands[i].Stage == stage)
            {
                return Commands[i];
            }
        }

        return null;
    }

    public void Problem(string what)
    {
        if (Problems.Count < MaxProblems && !Problems.Contains(what))
        {
            Problems.Add(what);
        }
    }

    public void Abort(string why)
    {
        Problem(why);
        Aborted = true;
    }
}
