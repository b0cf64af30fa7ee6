using Microsoft.Extensions.Logging;

namespace Tether.Extensions.Hosting;

/// <summary>The structured log lines of a hosted journal (category <see cref="TetherLogCategories.Journal"/>).</summary>
internal static partial class JournalLog
{
    [LoggerMessage(EventId = 2000, EventName = "JournalOpened", Level = LogLevel.Information, Message = "Journal opened in {Directory}")]
    public static partial void Opened(ILogger logger, string directory);

    [LoggerMessage(EventId = 2001, EventName = "JournalClosed", Level = LogLevel.Information, Message = "Journal in {Directory} closed after {Appends} appends in {Commits} commits ({FailedCommits} failed)")]
    public static partial void Closed(ILogger logger, string directory, long appends, long commits, long failedCommits);

    [LoggerMessage(EventId = 2002, EventName = "JournalOpenFailed", Level = LogLevel.Error, Message = "Journal in {Directory} could not be opened: {Reason}")]
    public static partial void OpenFailed(ILogger logger, string directory, string reason);
}
