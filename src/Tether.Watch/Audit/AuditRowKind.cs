namespace Tether.Watch;

/// <summary>What one row of the audit log records (docs/formats/audit.md). Written lower-case in the file.</summary>
public enum AuditRowKind
{
    /// <summary><c>boot</c>: the watcher started (version, pid, options), or the log was repaired when it opened.</summary>
    Boot,

    /// <summary><c>spawn</c>: a recovery command was started for a stalled agent.</summary>
    Spawn,

    /// <summary><c>complete</c>: a recovery command ended, or could not start.</summary>
    Complete,

    /// <summary><c>refused</c>: a recovery was not run, with the reason.</summary>
    Refused,
}
