namespace Tether.Journaling;

/// <summary>The journal holds damage in the middle (not a torn tail): a strict read stops here. <see cref="Problem"/>
/// says where: segment, byte offset and seq.</summary>
public sealed class JournalCorruptionException : JournalException
{
    internal JournalCorruptionException(string directory, JournalProblem problem)
        : base($"The journal at '{directory}' is damaged: {problem}. Read it in tolerant mode to skip the damage, or run verify for a full report.")
    {
        Directory = directory;
        Problem = problem;
    }

    /// <summary>The journal directory.</summary>
    public string Directory { get; }

    /// <summary>What is wrong and where.</summary>
    public JournalProblem Problem { get; }
}
