using System.Collections.Immutable;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Decides when a recording reaches the cassette file: an explicit save always writes; disposal writes what is unsaved
/// unless the recording was discarded — by <see cref="RecordReplayRunner.Discard"/>, by
/// <see cref="RecordReplayRunner.UseAsync"/> when its body threw, by a run that could not be recorded faithfully, by a
/// failed save, or by a failed test when the runner asked <see cref="TestFailureDetector"/> to watch for one.
/// </summary>
/// <remarks>Thread-safe. Never calls back into the recording, so the recording may consult it under its own lock.</remarks>
internal sealed class CassetteSavePolicy
{
    private readonly Lock _lock = new();
    private bool _unsaved;
    private string? _discardReason;
    private bool _closed;

    /// <summary>Why disposal will not write the recording, or null.</summary>
    public string? DiscardReason
    {
        get
        {
            lock (_lock)
            {
                return _discardReason;
            }
        }
    }

    /// <summary>
    /// False once the runner is being disposed after the recording was discarded: a run ending that late is not
    /// kept, since nothing will write it.
    /// </summary>
    public bool KeepsRecordings
    {
        get
        {
            lock (_lock)
            {
                return _discardReason is null || !_closed;
            }
        }
    }

    /// <summary>Notes that an entry was recorded and is not saved yet.</summary>
    public void Recorded()
    {
        lock (_lock)
        {
            _unsaved = true;
        }
    }

    /// <summary>Keeps disposal from writing, and forgets what is unsaved; the first reason given is kept.</summary>
    public void Discard(string reason)
    {
        lock (_lock)
        {
            _discardReason ??= reason;
            _unsaved = false;
        }
    }

    /// <summary>Keeps disposal from writing, for <paramref name="reason"/> (the first reason given is kept).</summary>
    public void MarkFailed(string reason)
    {
        lock (_lock)
        {
            _discardReason ??= reason;
        }
    }

    /// <summary>Notes that the runner is being disposed; see <see cref="KeepsRecordings"/>.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    /// <summary>True when disposal is to write: the runner records, something is unsaved, and nothing was discarded.</summary>
    public bool WritesOnDisposal(bool records)
    {
        lock (_lock)
        {
            return records && _unsaved && _discardReason is null;
        }
    }

    /// <summary>Writes <paramref name="entries"/> to <paramref name="path"/> in format <paramref name="version"/>
    /// (atomically, owner-only, never through a symlink) and notes that nothing is unsaved.</summary>
    /// <exception cref="CassetteException">The file could not be written; the previous one is intact, and disposal
    /// will not try again.</exception>
    public void Write(string path, ImmutableArray<CassetteEntry> entries, int version)
    {
        var json = new Cassette(entries, version).ToJson();
        try
        {
            if (json.Length > Cassette.MaxFileBytes)
            {
                // A file no load would accept is not written; the previous cassette stays.
                throw new CassetteException(CassetteProblem.TooLarge, path,
                    $"Cassette '{path}' would be {json.Length} bytes, more than the {Cassette.MaxFileBytes / (1024 * 1024)} MiB a cassette may have; record less output per test. Nothing was written.");
            }

            CassetteFile.WriteAtomically(path, json);
            lock (_lock)
            {
                _unsaved = false;
            }
        }
        catch (CassetteException ex)
        {
            // The caller sees this error; disposal must not retry and throw it a second time.
            MarkFailed($"saving failed: {ex.Message}");
            throw;
        }
    }
}
