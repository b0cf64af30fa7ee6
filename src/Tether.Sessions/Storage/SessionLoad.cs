namespace Tether.Sessions;

/// <summary>
/// A session read from a file, with everything that could not be read normally. A torn final line (normal after a
/// crash), a corrupt line (reported with its line number), and lines of unknown kinds are skipped and listed in
/// <see cref="Problems"/>; the rest of the session loads.
/// </summary>
/// <param name="Session">The session as read.</param>
/// <param name="Problems">What was skipped or looked wrong, by line number; empty for a clean file.</param>
/// <param name="Path">The file it was read from.</param>
public sealed record SessionLoad(Session Session, IReadOnlyList<SessionProblem> Problems, string Path)
{
    /// <summary>Whether the file was read without any problem.</summary>
    public bool IsClean => Problems.Count == 0;

    /// <summary>The torn final line, if the file ends with one.</summary>
    public SessionProblem? TornLine => Problems.FirstOrDefault(p => p.Kind == SessionProblemKinds.TornLine);
}
