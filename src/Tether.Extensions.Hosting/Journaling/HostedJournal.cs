using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tether.Journaling;

namespace Tether.Extensions.Hosting;

/// <summary>
/// A <see cref="Journaling.Journal"/> opened when the host starts and closed (every acknowledged append durable) when it
/// stops. Inject it and append through <see cref="Journal"/>; opening and closing are logged in the
/// <see cref="TetherLogCategories.Journal"/> category, never a record's contents.
/// </summary>
public sealed class HostedJournal : IHostedService, IAsyncDisposable
{
    private readonly string _directory;
    private readonly Func<JournalOptions> _options;
    private readonly ILogger _logger;
    private Journal? _journal;

    internal HostedJournal(string directory, Func<JournalOptions> options, ILogger logger)
    {
        _directory = directory;
        _options = options;
        _logger = logger;
    }

    /// <summary>The open journal.</summary>
    /// <exception cref="InvalidOperationException">The host has not started it yet, or already stopped it.</exception>
    public Journal Journal => _journal ?? throw new InvalidOperationException($"The journal in {_directory} is open only while the host runs; start the host before appending.");

    /// <summary>Opens (or creates) the journal.</summary>
    /// <exception cref="JournalException">The directory cannot be opened as a journal.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _journal = await Journal.OpenAsync(_directory, _options(), cancellationToken).ConfigureAwait(false);
        }
        catch (JournalException ex)
        {
            JournalLog.OpenFailed(_logger, _directory, ex.Message);
            throw;
        }

        JournalLog.Opened(_logger, _directory);
    }

    /// <summary>Waits for queued appends, syncs and closes the journal.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _journal, null) is { } journal)
        {
            await journal.DisposeAsync().ConfigureAwait(false);
            var counters = journal.Counters;
            JournalLog.Closed(_logger, _directory, counters.Appended, counters.Commits, counters.FailedCommits);
        }
    }

    /// <summary>Closes the journal if the host did not.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _journal, null) is { } journal)
        {
            await journal.DisposeAsync().ConfigureAwait(false);
        }
    }
}
