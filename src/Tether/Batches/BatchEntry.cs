namespace Tether;

/// <summary>One command of a batch and how it ended.</summary>
/// <param name="Index">The command's position in the batch's input.</param>
/// <param name="Command">The command.</param>
/// <param name="Status">Completed, failed to run, or stopped by fail-fast.</param>
/// <param name="Result">The result when <see cref="Status"/> is <see cref="BatchStatus.Completed"/>, else null.</param>
/// <param name="Error">Why it could not run when <see cref="Status"/> is <see cref="BatchStatus.Failed"/>, else null.</param>
public sealed record BatchEntry(int Index, Command Command, BatchStatus Status, ProcessResult<string>? Result, Exception? Error)
{
    /// <summary>True when the command completed with an ok exit code.</summary>
    public bool IsSuccess => Status == BatchStatus.Completed && Result!.IsSuccess;

    /// <summary>A one-line summary: index, command, and its result, error or "stopped".</summary>
    public override string ToString() => Status switch
    {
        BatchStatus.Completed => $"#{Index} {Result}",
        BatchStatus.Failed => $"#{Index} {Command}: {Error?.Message}",
        _ => $"#{Index} {Command}: stopped by fail-fast",
    };
}
