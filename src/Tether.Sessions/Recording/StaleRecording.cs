namespace Tether.Sessions;

/// <summary>What <see cref="Recorder.RecoverStale"/> did with one recording whose shell is gone.</summary>
/// <param name="ShellPid">The pid the dead shell had.</param>
/// <param name="Name">The name the recording had while it ran (null when its state file could not be read).</param>
/// <param name="Outcome">Saved, discarded (no command), or already saved by an earlier attempt.</param>
/// <param name="Saved">The session written, when <paramref name="Outcome"/> is <see cref="StaleOutcome.Saved"/> or
/// <see cref="StaleOutcome.AlreadySaved"/>.</param>
/// <param name="Error">Why it could not be recovered, when <paramref name="Outcome"/> is <see cref="StaleOutcome.Failed"/>.</param>
public sealed record StaleRecording(int ShellPid, string? Name, StaleOutcome Outcome, SavedRecording? Saved, string? Error = null);

/// <summary>What became of a stale recording.</summary>
public enum StaleOutcome
{
    /// <summary>It held at least one command and was saved under its name (<c>recovered-YYYY-MM-DD-HHMMSS</c> when the
    /// name was lost with its state file), flagged recovered, with an <see cref="SessionStatus.Interrupted"/> footer.</summary>
    Saved,

    /// <summary>It held no command: its state files were removed and nothing was saved.</summary>
    Discarded,

    /// <summary>An earlier stop or recovery had already saved it completely and then died before removing the state
    /// files; only the state files were removed.</summary>
    AlreadySaved,

    /// <summary>It could not be saved (the store cannot be written, the spool is over its size limit); its files were
    /// left as they are for a later attempt, and <see cref="StaleRecording.Error"/> says why.</summary>
    Failed,
}
