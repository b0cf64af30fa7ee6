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
