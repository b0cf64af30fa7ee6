using Microsoft.Extensions.Logging;

namespace Tether.Extensions.Hosting;

/// <summary>The structured log lines of runs (category <see cref="TetherLogCategories.Runs"/>); every command line is redacted first.</summary>
internal static partial class RunLog
{
    [LoggerMessage(EventId = 1000, EventName = "RunStarting", Level = LogLevel.Debug, Message = "Starting {Command}")]
    public static partial void Starting(ILogger logger, string command);

    [LoggerMessage(EventId = 1001, EventName = "RunStarted", Level = LogLevel.Debug, Message = "Started {Command} as pid {Pid} ({Containment})")]
    public static partial void Started(ILogger logger, string command, int pid, ContainmentMechanism containment);

    [LoggerMessage(EventId = 1002, EventName = "RunEnded", Level = LogLevel.Information, Message = "{Command} {Outcome} after {DurationMs} ms")]
    public static partial void Ended(ILogger logger, string command, string outcome, double durationMs);

    [LoggerMessage(EventId = 1003, EventName = "RunFailed", Level = LogLevel.Warning, Message = "{Command} {Outcome} after {DurationMs} ms")]
    public static partial void Failed(ILogger logger, string command, string outcome, double durationMs);

    [LoggerMessage(EventId = 1004, EventName = "RunNotStarted", Level = LogLevel.Warning, Message = "{Command} could not start: {Reason}")]
    public static partial void NotStarted(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = 1005, EventName = "RunAborted", Level = LogLevel.Warning, Message = "{Command} ended without a result: {Reason}")]
    public static partial void Aborted(ILogger logger, string command, string reason);
}
