using Microsoft.Extensions.Logging;

namespace Tether.Extensions.Hosting;

/// <summary>The structured log lines of a hosted watcher (category <see cref="TetherLogCategories.Watch"/>).</summary>
internal static partial class WatchLog
{
    [LoggerMessage(EventId = 3000, EventName = "WatcherStarted", Level = LogLevel.Information, Message = "Watcher listening on {Endpoints}")]
    public static partial void Started(ILogger logger, string endpoints);

    [LoggerMessage(EventId = 3001, EventName = "StallDetected", Level = LogLevel.Warning, Message = "Agent {Pid} stalled: silent for {SilentMs} ms")]
    public static partial void Stalled(ILogger logger, uint pid, double silentMs);

    [LoggerMessage(EventId = 3002, EventName = "RecoveryStarted", Level = LogLevel.Information, Message = "Recovery {RecoveryId} started for agent {Pid}")]
    public static partial void RecoveryStarted(ILogger logger, long recoveryId, uint pid);

    [LoggerMessage(EventId = 3003, EventName = "RecoveryCompleted", Level = LogLevel.Information, Message = "Recovery {RecoveryId} for agent {Pid} {Outcome} after {DurationMs} ms")]
    public static partial void RecoveryCompleted(ILogger logger, long recoveryId, uint pid, string outcome, double durationMs);

    [LoggerMessage(EventId = 3004, EventName = "RecoveryRefused", Level = LogLevel.Warning, Message = "Recovery for agent {Pid} refused: {Reason}")]
    public static partial void RecoveryRefused(ILogger logger, uint pid, string reason);

    [LoggerMessage(EventId = 3005, EventName = "WatcherStopped", Level = LogLevel.Information, Message = "Watcher stopped")]
    public static partial void Stopped(ILogger logger);
}
