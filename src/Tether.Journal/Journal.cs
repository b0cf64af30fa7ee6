using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Journaling.Internal;

namespace Tether.Journaling;

/// <summary>
/// A durable, append-only journal of JSON-lines records in a directory (format: docs/formats/journal.md). Several
/// <see cref="Journal"/> instances, in this process or in others, may append to the same directory: each commit holds an
/// exclusive flock on <c>journal.lock</c> and takes the next seq from the real end of the journal, so seqs stay unique
/// and continuous. Appends from one instance are group-committed: everything queued goes out in one write and one
/// fdatasync. Linux only.
/// </summary>
/// <remarks>
/// A writer waits for the lock as long as another live process holds it. The lock is held only for one commit or one
/// retention run, and the kernel releases it when the holder dies, so a crashed writer never blocks the others.
/// </remarks>
public sealed partial class Journal : IAsyncDisposable
{
    private readonly Channel<WorkItem> _queue;
    private readonly JournalOptions _options;
    private readonly TimeProvider _time;
    private readonly string _lockPath;
    private SafeFileHandle _lock;
    private Task _writer = Task.CompletedTask;
    private int _disposed;

    private Journal(string directory, JournalOptions options, SafeFileHandle lockHandle)
    {
        Directory = directory;
        _options = options;
        _time = options.TimeProvider;
        _lockPath = Path.Combine(directory, JournalLayout.LockName);
        _lock = lockHandle;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        Reader = new JournalReader(directory, new JournalReaderOptions { TimeProvider = options.TimeProvider });
    }

    /// <summary>The journal directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>The options in force.</summary>
    public JournalOptions Options => _options;

    /// <summary>A strict reader of this journal (reads never take the lock and never change a file).</summary>
    public JournalReader Reader { get; }

    /// <summary>What this instance has done since it was opened.</summary>
    public JournalCounters Counters => _counters.Snapshot();

    /// <summary>Why the last automatic retention run failed, or null. The appends it followed had succeeded.</summary>
    public string? LastRetentionError { get; private set; }

    /// <summary>
    /// Opens the journal in <paramref name="directory"/>, creating the directory (0700) and the journal if needed (unless
    /// <see cref="JournalOptions.CreateIfMissing"/> is false). Under
    /// the lock, checks the format version and repairs a torn tail left by a writer that died: the torn bytes are saved to
    /// a <c>torn-*.bin</c> file (0600) beside the segments, cut off, and noted with a <c>journal.tail_repaired</c> record.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not on Linux.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist and
    /// <see cref="JournalOptions.CreateIfMissing"/> is false.</exception>
    /// <exception cref="JournalFormatException">The directory is a symbolic link, holds segments without a manifest, holds
    /// a journal of another format version, or holds no journal and <see cref="JournalOptions.CreateIfMissing"/> is
    /// false.</exception>
    /// <exception cref="JournalCorruptionException">The end of the last segment is damaged beyond what a torn write can
    /// leave; nothing is cut off.</exception>
    /// <exception cref="JournalWriteException">The directory or its files cannot be created or written.</exception>
    public static async Task<Journal> OpenAsync(string directory, JournalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Tether.Journal writes with flock and fdatasync semantics that are implemented and tested on Linux only.");
        }

        options ??= new JournalOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        var full = Path.GetFullPath(directory);
        var lockHandle = await Task.Run(() => PrepareDirectory(full, options.CreateIfMissing), cancellationToken).ConfigureAwait(false);
        var journal = new Journal(full, options, lockHandle);
        try
        {
            await Task.Run(journal.Recover, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            journal._lock.Dispose();
            journal._tail?.Dispose();
            throw;
        }

        journal._writer = Task.Run(journal.RunWriterAsync, CancellationToken.None);
        return journal;
    }

    /// <summary>
    /// Appends a record and returns its seq once it is durable: on stable storage with <see cref="Durability.Synced"/>
    /// (the default), written to the file with <see cref="Durability.Buffered"/>. Appends running concurrently share one
    /// commit. When the queue is full, waits for room.
    /// </summary>
    /// <param name="entry">The record to append.</param>
    /// <param name="cancellationToken">Cancels the wait while the record is still queued: it is then certainly not
    /// written. Once the writer has taken it into a commit, the append completes regardless and returns the seq.</param>
    /// <exception cref="JournalRecordTooLargeException">The record's line would exceed
    /// <see cref="JournalOptions.MaxRecordBytes"/>; nothing was written.</exception>
    /// <exception cref="JournalWriteException">The commit failed (disk full, I/O error); the record is not in the journal,
    /// which stays valid. Later appends work again once the cause is gone.</exception>
    /// <exception cref="JournalCorruptionException">The journal's end is damaged beyond a torn write; nothing is written
    /// until that is dealt with.</exception>
    /// <exception cref="ObjectDisposedException">The journal was disposed.</exception>
    public async Task<ulong> AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        var body = RecordCodec.EncodeBody(entry);
        var size = RecordCodec.MaxLineLength(body.Length);
        if (size > _options.MaxRecordBytes)
        {
            _counters.Increment(ref _counters.RejectedTooLarge);
            throw new JournalRecordTooLargeException(entry.Type, size, _options.MaxRecordBytes);
        }

        var work = new AppendWork(entry.Type, body);
        await EnqueueAsync(work, cancellationToken).ConfigureAwait(false);
        using (cancellationToken.Register(static (state, token) => ((AppendWork)state!).TryCancel(token), work))
        {
            return await work.Task.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Returns once everything acknowledged so far is on stable storage. With <see cref="Durability.Synced"/> that is
    /// already true; with <see cref="Durability.Buffered"/> this syncs now.
    /// </summary>
    /// <exception cref="JournalWriteException">The sync failed, now or in the background since the last flush: records
    /// acknowledged before it may be lost on a power failure.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var work = new FlushWork();
        await EnqueueAsync(work, cancellationToken).ConfigureAwait(false);
        await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes old segments by <paramref name="policy"/> (or <see cref="JournalOptions.Retention"/>), under the journal
    /// lock so no commit of any process races it: whole segments only, oldest first, never the last one.
    /// </summary>
    /// <exception cref="ArgumentException">No policy is given and none is configured, or the policy has no limit.</exception>
    /// <exception cref="JournalWriteException">A segment could not be deleted.</exception>
    public async Task<JournalPruneReport> PruneAsync(RetentionPolicy? policy = null, CancellationToken cancellationToken = default)
    {
        policy ??= _options.Retention ?? throw new ArgumentException("No retention policy given, and the journal has none configured (JournalOptions.Retention).", nameof(policy));
        policy.Validate();
        var work = new PruneWork(policy);
        await EnqueueAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends what <paramref name="decide"/> returns, deciding while holding the journal lock: it gets the next seq, every
    /// record below which is already in the journal, and no writer of any process can append until its records are
    /// written. Returns their seqs. Used by <see cref="JobJournal.ReconcileAsync"/> so that two reconcilers never
    /// both mark the same job.
    /// </summary>
    internal async Task<IReadOnlyList<ulong>> AppendDecidedAsync(
        Func<ulong, CancellationToken, ValueTask<IReadOnlyList<JournalEntry>>> decide, CancellationToken cancellationToken)
    {
        var work = new DecidedAppendWork(decide, cancellationToken);
        await EnqueueAsync(work, cancellationToken).ConfigureAwait(false);
        return await work.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Commits everything already queued, syncs (also with <see cref="Durability.Buffered"/>) and closes the files.
    /// Appends started afterwards throw <see cref="ObjectDisposedException"/>. A failed final sync is counted in
    /// <see cref="JournalCounters.FailedSyncs"/>; call <see cref="FlushAsync"/> first to get it as an error.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _tail?.Dispose();
        _tail = null;
        _lock.Dispose();
    }

    private async ValueTask EnqueueAsync(WorkItem work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_queue.Writer.TryWrite(work))
        {
            return;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _counters.Increment(ref _counters.QueueFullWaits);
        try
        {
            await _queue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(Journal), "The journal was disposed while the append waited for room in the queue.");
        }
    }

    /// <summary>Creates the directory if needed, refuses a symbolic link, and opens (creating) the lock file.</summary>
    private static SafeFileHandle PrepareDirectory(string directory, bool create)
    {
        try
        {
            var status = DurableFile.TryStat(directory);
            if (status is null && !create)
            {
                throw new DirectoryNotFoundException($"No journal at '{directory}': the directory does not exist.");
            }

            if (status is null)
            {
                if (!OperatingSystem.IsLinux())
                {
                    throw new PlatformNotSupportedException();
                }

                System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                status = DurableFile.TryStat(directory);
            }

            if (status is { IsSymbolicLink: true })
            {
                throw new JournalFormatException(directory, "it is a symbolic link; give the real directory (journal files are never written through a symbolic link)");
            }

            if (status is not { IsDirectory: true })
            {
                throw new JournalFormatException(directory, "it is not a directory");
            }

            if (!create && DurableFile.TryStat(Path.Combine(directory, JournalLayout.ManifestName)) is null)
            {
                throw new JournalFormatException(directory, $"it has no {JournalLayout.ManifestName}, so it is not a Tether journal");
            }

            return DurableFile.OpenOrCreate(Path.Combine(directory, JournalLayout.LockName));
        }
        catch (PosixIOException e)
        {
            throw WriteError(directory, e, "open");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new JournalWriteException(directory, $"Could not create the journal directory '{directory}': {e.Message}", 0, false, e);
        }
    }
}
