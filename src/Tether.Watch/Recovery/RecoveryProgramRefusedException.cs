namespace Tether.Watch;

/// <summary>Why a recovery command's program was refused when the watcher started (see <see cref="RecoveryProgramRefusedException"/>).</summary>
public enum RecoveryProgramRefusal
{
    /// <summary>No file at the program's path, or no such program in any directory of the recovery's <c>PATH</c>.</summary>
    NotFound,

    /// <summary>The path names a directory, or something else that cannot be executed, rather than a file.</summary>
    NotAFile,

    /// <summary>The file exists but the watcher's user may not execute it.</summary>
    NotExecutable,

    /// <summary>Everyone may write the file, so anyone could change what the watcher runs.</summary>
    WorldWritable,
}

/// <summary>
/// The recovery command names a program that could not run: thrown by <see cref="Watcher.StartAsync"/> before anything
/// is bound, so that a watcher never starts with a recovery that would only fail when an agent stalls. The message
/// (one line) names the program, what is wrong and what to do.
/// </summary>
public sealed class RecoveryProgramRefusedException : Exception
{
    internal RecoveryProgramRefusedException(string program, RecoveryProgramRefusal refusal, string problem)
        : base($"Recovery program '{program}' {problem}.")
    {
        Program = program;
        Refusal = refusal;
    }

    /// <summary>The program as the recovery command gives it.</summary>
    public string Program { get; }

    /// <summary>Why it was refused.</summary>
    public RecoveryProgramRefusal Refusal { get; }
}
