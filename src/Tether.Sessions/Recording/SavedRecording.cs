namespace Tether.Sessions;

/// <summary>A recording that was written to the session store, by <see cref="Recorder.Stop"/> or by stale recovery.</summary>
/// <param name="Name">The session's name in the store. It differs from the name asked for when that name was taken
/// meanwhile (a <c>-2</c>, <c>-3</c>, … suffix is added); a recovered recording keeps its name too, and is <c>recovered-…</c>
/// only when its state file (and so its name) could not be read.</param>
/// <param name="Id">The session's id.</param>
/// <param name="Path">The session file.</param>
/// <param name="CommandCount">The commands saved.</param>
/// <param name="Status">How the session ended: <see cref="SessionStatus.Completed"/> when stopped,
/// <see cref="SessionStatus.Interrupted"/> when its shell died.</param>
/// <param name="Recovered">True when saved by stale recovery (the header says so too).</param>
/// <param name="Problems">What could not be read from the shell's spool (a torn last line after a crash, a corrupt
/// line), by spool line number; those lines are skipped and the rest is saved. Empty normally.</param>
public sealed record SavedRecording(
    string Name,
    string Id,
    string Path,
    int CommandCount,
    SessionStatus Status,
    bool Recovered,
    IReadOnlyList<SessionProblem> Problems);
