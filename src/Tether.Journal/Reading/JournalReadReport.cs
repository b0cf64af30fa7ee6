namespace Tether.Journaling;

/// <summary>
/// What a read met besides records: problems skipped in <see cref="ReadMode.Tolerant"/> mode, a torn tail, segments
/// deleted by retention while being read. Pass one to a read and look at it afterwards (or during a follow). Not
/// thread-safe: one read at a time.
/// </summary>
public sealed class JournalReadReport
{
    /// <summary>How many problems <see cref="Problems"/> keeps in detail; further ones are only counted.</summary>
    public const int MaxProblemsKept = 1000;

    private readonly List<JournalProblem> _problems = [];

    /// <summary>The first <see cref="MaxProblemsKept"/> problems skipped, in the order met.</summary>
    public IReadOnlyList<JournalProblem> Problems => _problems;

    /// <summary>All problems skipped, including those not kept in <see cref="Problems"/>.</summary>
    public long ProblemCount { get; private set; }

    /// <summary>The torn tail at the end of the journal, if the read reached one.</summary>
    public JournalTornTail? TornTail { get; internal set; }

    /// <summary>Segments that retention deleted after the read listed them and before it opened them. Their records are
    /// gone by policy, not lost to corruption.</summary>
    public IReadOnlyList<string> SegmentsPrunedWhileReading => _pruned;

    private readonly List<string> _pruned = [];

    /// <summary>Whether the read skipped nothing (a torn tail is not counted: it is normal after a crash).</summary>
    public bool IsClean => ProblemCount == 0;

    internal void Add(JournalProblem problem)
    {
        ProblemCount++;
        if (_problems.Count < MaxProblemsKept)
        {
            _problems.Add(problem);
        }
    }

    internal void AddPruned(string segment)
    {
        if (_pruned.Count < MaxProblemsKept)
        {
            _pruned.Add(segment);
        }
    }
}
