namespace Tether.Journaling;

/// <summary>What <see cref="JobJournal.ReconcileAsync"/> did.</summary>
public sealed class ReconcileReport
{
    internal ReconcileReport(IReadOnlyList<AbandonedJob> abandoned, IReadOnlyList<RunningJob> stillRunning, JournalReadReport read)
    {
        Abandoned = abandoned;
        StillRunning = stillRunning;
        Problems = read.Problems;
        ProblemCount = read.ProblemCount;
    }

    /// <summary>The jobs marked abandoned, in the order they were started.</summary>
    public IReadOnlyList<AbandonedJob> Abandoned { get; }

    /// <summary>Open jobs whose writer is still alive, left alone.</summary>
    public IReadOnlyList<RunningJob> StillRunning { get; }

    /// <summary>Damage the scan skipped (reconciliation reads tolerantly so that it can still run); see verify.</summary>
    public IReadOnlyList<JournalProblem> Problems { get; }

    /// <summary>How many problems there were in all.</summary>
    public long ProblemCount { get; }
}
