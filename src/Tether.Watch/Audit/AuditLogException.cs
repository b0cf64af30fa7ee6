namespace Tether.Watch;

/// <summary>
/// The audit log cannot be opened or written: the path is a symbolic link or not a regular file, another process
/// writes it, the file holds damage other than a torn final row (<see cref="Problem"/>), or a write failed. The
/// message says what is wrong and what to do. Bad arguments are reported as <see cref="ArgumentException"/> instead.
/// </summary>
public sealed class AuditLogException : Exception
{
    internal AuditLogException(string path, string message, AuditProblem? problem = null, Exception? inner = null)
        : base(message, inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The audit file, as given to <see cref="AuditLog.Open"/>.</summary>
    public string Path { get; }

    /// <summary>The damage found in the file when that is why it cannot be opened; else null.</summary>
    public AuditProblem? Problem { get; }
}
