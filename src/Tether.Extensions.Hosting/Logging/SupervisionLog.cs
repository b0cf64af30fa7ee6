using Microsoft.Extensions.Logging;
using Tether.Supervisor;

namespace Tether.Extensions.Hosting;

/// <summary>The structured log lines of a hosted supervisor (category <see cref="TetherLogCategories.Supervision"/>); reasons are redacted first.</summary>
internal static partial class SupervisionLog
{
    [LoggerMessage(EventId = 4000, EventName = "SupervisorStarted", Level = LogLevel.Information, Message = "Supervising {Count} services in {Directory}")]
    public static partial void Started(ILogger logger, int count, string directory);

    [LoggerMessage(EventId = 4001, EventName = "ServiceStateChanged", Level = LogLevel.Information, Message = "{Service}#{Index} {From} -> {To}: {Reason}")]
    public static partial void StateChanged(ILogger logger, string service, int index, ServiceState from, ServiceState to, string reason);

    [LoggerMessage(EventId = 4002, EventName = "RestartScheduled", Level = LogLevel.Warning, Message = "{Service}#{Index} restarts in {DelayMs} ms (restart {Restart}): {Reason}")]
    public static partial void RestartScheduled(ILogger logger, string service, int index, double delayMs, int restart, string reason);

    [LoggerMessage(EventId = 4003, EventName = "ServiceGaveUp", Level = LogLevel.Error, Message = "{Service}#{Index} given up: {Reason}")]
    public static partial void GaveUp(ILogger logger, string service, int index, string reason);

    [LoggerMessage(EventId = 4004, EventName = "SupervisorStopping", Level = LogLevel.Information, Message = "Stopping the services in {Directory} (dependents first)")]
    public static partial void Stopping(ILogger logger, string directory);

    [LoggerMessage(EventId = 4005, EventName = "SupervisorStopped", Level = LogLevel.Information, Message = "Every service in {Directory} stopped")]
    public static partial void Stopped(ILogger logger, string directory);

    [LoggerMessage(EventId = 4006, EventName = "SupervisorForced", Level = LogLevel.Warning, Message = "The host's shutdown time ran out; the services in {Directory} were killed")]
    public static partial void Forced(ILogger logger, string directory);
}
