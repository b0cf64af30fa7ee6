using System.Collections.Immutable;
using Tether.Testing.Cassettes;
using Tether.Testing.Scripting;

namespace Tether.Testing;

/// <summary>
/// Records real runs to a cassette file and replays them without spawning anything — run the real tool once, then
/// replay the captured results in every test run after, fast and hermetic. The cassette is processkit's JSON format:
/// versions 1 to 4 are read, a new cassette is written in version 4 (docs/formats/cassette.md).
/// </summary>
/// <remarks>
/// <para><b>Matching.</b> An invocation is matched on program + arguments + working directory + whether stdin was given
/// + a digest of the stdin source; the environment is not part of the key (only variable names are stored). Entries
/// from processkit's versions 3 and 4 are matched as processkit matches them, without the working directory unless
/// their <c>match_digest</c> carries it. A key recorded several times replays its entries in capture order, then the
/// last one forever. An entry holding processkit's recorded error replays by throwing the matching exception.</para>
/// <para><b>Replay.</b> A replayed entry is played through a real <see cref="RunningProcess"/>: the replaying command's
/// ok exit codes, line handlers, tees and readiness waits apply, <c>StartAsync</c> streams the recorded output through
/// the real pumps, and a recorded timeout is reported with the replaying command's own timeout.</para>
/// <para><b>Saving.</b> <see cref="Save"/> writes the cassette atomically, owner-only and never through a symlink.
/// Disposal flushes recordings not yet saved — unless the run was discarded: (1) <see cref="UseAsync"/>'s body threw,
/// (2) <see cref="Discard"/> was called, or (3) the test asked with <see cref="DiscardWhenTestFails"/> and a
/// test-framework assertion (xUnit, NUnit, MSTest, Shouldly) then failed in its async flow. In those cases nothing is
/// written on disposal; an explicit <see cref="Save"/> still writes. A runner that was not asked inspects no
/// exception: it hooks no process-wide event.</para>
/// <para><b>Bytes.</b> Output that is not valid text is stored as its exact bytes too, so <see cref="OutputBytesAsync"/>
/// and <c>StartAsync</c> replay what the program wrote, byte for byte.</para>
/// <para><b>Not supported</b>, in every mode, each with <see cref="NotSupportedException"/>: one-shot and interactive
/// stdin (they cannot be keyed), and pipelines of several stages.</para>
/// <para>Thread-safe: concurrent calls record and replay correctly; entries are ordered by when each call started; no
/// user code (inner runner, line handlers, redaction) runs while the cassette lock is held.</para>
/// </remarks>
public sealed class RecordReplayRunner : IProcessRunner, IAsyncDisposable, IDisposable
{
    private readonly TimeProvider _time;
    private readonly ImmutableArray<CassetteEntry> _loaded;
    private readonly int? _loadedVersion;
    private readonly CassetteMatcher _matcher;
    private readonly CassetteRecorder _recorder;
    private readonly CassetteSavePolicy _policy = new();
    private int _watched;
    private int _disposed;

    /// <summary>Opens the cassette at <paramref name="path"/> in <paramref name="mode"/>.</summary>
    /// <param name="path">The cassette file.</param>
    /// <param name="mode">How to use it.</param>
    /// <param name="inner">The runner that runs for real when recording (<see cref="ProcessRunner.Default"/> when null).</param>
    /// <param name="redaction">What to redact when recording (<see cref="RedactionPolicy.Default"/> when null).</param>
    /// <param name="timeProvider">The clock for replayed runs' timeouts and grace periods (the system clock when null).</param>
    /// <exception cref="CassetteException">
    /// The cassette is needed (Replay, Once or NewEpisodes with an existing file) and cannot be loaded: missing (Replay
    /// only), unreadable, too large, invalid JSON, another version or an invalid entry.
    /// </exception>
    public RecordReplayRunner(string path, CassetteMode mode, IProcessRunner? inner = null, RedactionPolicy? redaction = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown cassette mode.");
        }

        CassettePath = path;
        Mode = mode;
        redaction ??= RedactionPolicy.Default;
        _time = timeProvider ?? TimeProvider.System;

        var exists = File.Exists(path) || new FileInfo(path).LinkTarget is not null;
        (Replays, Records) = mode switch
        {
            CassetteMode.Replay => (true, false),
            CassetteMode.Record => (false, true),
            CassetteMode.Once => (exists, !exists),
            _ => (true, true),
        };

        if (Directory.Exists(path))
        {
            throw new CassetteException(CassetteProblem.Unreadable, path, $"Cassette '{path}' is a directory; give the path of a cassette file.");
        }

        if (mode == CassetteMode.Replay || (Replays && exists))
        {
            var cassette = Cassette.Load(path);
            _loaded = cassette.Entries;
            _loadedVersion = cassette.Version;
        }
        else
        {
            // Record replaces the file, so what is there must be a cassette: a mistyped path must never cost another file.
            if (exists && mode == CassetteMode.Record)
            {
                try
                {
                    _ = Cassette.Load(path);
                }
                catch (CassetteException ex) when (ex.Problem == CassetteProblem.NotFound)
                {
                    // A dangling symbolic link: there is nothing to lose, and the save refuses the link itself.
                }
                catch (CassetteException ex)
                {
                    throw new CassetteException(ex.Problem, path,
                        $"{ex.Message} Recording would replace it, so it was left alone: delete it or choose another path.", ex);
                }
            }

            _loaded = [];
        }

        _matcher = new CassetteMatcher(_loaded, redaction);
        _recorder = new CassetteRecorder(inner ?? ProcessRunner.Default, redaction, _policy);
    }

    /// <summary>The clock of replayed runs' timeouts and grace periods, and of the verbs' retry backoff.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>The cassette file.</summary>
    public string CassettePath { get; }

    /// <summary>The mode asked for.</summary>
    public CassetteMode Mode { get; }

    /// <summary>True when known invocations are answered from the cassette (Replay, NewEpisodes, Once with an existing cassette).</summary>
    public bool Replays { get; }

    /// <summary>True when invocations are run for real and recorded (Record, NewEpisodes, Once without a cassette).</summary>
    public bool Records { get; }

    /// <summary>True once <see cref="DiscardWhenTestFails"/> was called (and until the runner is disposed).</summary>
    public bool DiscardsWhenTestFails => Volatile.Read(ref _watched) != 0 && Volatile.Read(ref _disposed) == 0;

    /// <summary>Why disposal will not write the recording (a failed test, <see cref="Discard"/>), or null.</summary>
    public string? DiscardReason => _policy.DiscardReason;

    /// <summary>
    /// The entries a save would write: for Record (and Once recording), those recorded so far; for NewEpisodes, the
    /// loaded ones followed by the new ones; for a pure replay, the loaded ones.
    /// </summary>
    public ImmutableArray<CassetteEntry> Entries => Records ? [.. (Replays ? _loaded : []), .. _recorder.Recorded] : _loaded;

    /// <summary>Entries recorded in this session.</summary>
    public int RecordedCount => _recorder.Count;

    /// <summary>
    /// Runs <paramref name="body"/> with a runner on the cassette and saves the recording only when the body completes;
    /// when it throws (a failed assertion, any error), nothing is written and the exception propagates. The surest way
    /// to keep a failing test from persisting a cassette.
    /// </summary>
    public static async Task UseAsync(string path, CassetteMode mode, Func<RecordReplayRunner, Task> body, IProcessRunner? inner = null, RedactionPolicy? redaction = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var runner = new RecordReplayRunner(path, mode, inner, redaction, timeProvider);
        await using (runner.ConfigureAwait(false))
        {
            try
            {
                await body(runner).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                runner.Discard($"the test body threw {ex.GetType().Name}");
                throw;
            }

            await runner.SaveAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Asks the runner to write nothing on disposal when a test assertion (xUnit, NUnit, MSTest, Shouldly) fails in the
    /// calling test — for a runner disposed by <c>using</c> rather than run through <see cref="UseAsync"/>. Call it
    /// right after creating the runner, in the test method itself: an assertion failing in that async flow, or in a
    /// flow started from it, is seen (as a first-chance exception) and marks the recording discarded; another test's
    /// failure is not. Until some runner asks, no process-wide exception handler is installed; it is removed when the
    /// last runner that asked is disposed.
    /// </summary>
    /// <returns>This runner, so that the call can follow the constructor.</returns>
    /// <exception cref="ObjectDisposedException">The runner was disposed.</exception>
    public RecordReplayRunner DiscardWhenTestFails()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _watched, 1) == 0)
        {
            TestFailureDetector.Watch(_policy);
        }

        return this;
    }

    /// <summary>
    /// Writes the cassette now (atomically, owner-only, never through a symlink) with every call recorded and finished so
    /// far. Does nothing in a pure replay. A started process still running is added when it ends, by a later save or by
    /// disposal; <see cref="SaveAsync"/> waits for them.
    /// </summary>
    /// <exception cref="CassetteException">The file could not be written; the previous one is intact.</exception>
    public void Save()
    {
        if (Records)
        {
            _policy.Write(CassettePath, [.. (Replays ? _loaded : []), .. _recorder.Recorded], Cassette.VersionToWrite(Replays ? _loadedVersion : null));
        }
    }

    /// <summary>Waits for started processes that are being recorded to end, then saves; see <see cref="Save"/>.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        await _recorder.WaitForPendingAsync(cancellationToken).ConfigureAwait(false);
        Save();
    }

    /// <summary>
    /// Drops what was recorded and not yet saved, and keeps disposal from writing anything. Call it when the test
    /// failed in a way the runner cannot see.
    /// </summary>
    public void Discard(string? reason = null)
    {
        _policy.Discard(reason ?? "Discard() was called");
        _recorder.Clear();
    }

    /// <summary>Waits for recordings in progress and writes what is unsaved — unless the run was discarded (see the remarks).</summary>
    public ValueTask DisposeAsync()
    {
        if (!BeginDispose())
        {
            return ValueTask.CompletedTask;
        }

        return FinishAsync();

        async ValueTask FinishAsync()
        {
            await _recorder.WaitForPendingAsync(CancellationToken.None).ConfigureAwait(false);
            Flush();
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking.</summary>
    public void Dispose()
    {
        if (!BeginDispose())
        {
            return;
        }

        _recorder.WaitForPendingAsync(CancellationToken.None).GetAwaiter().GetResult();
        Flush();
    }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        try
        {
            var call = Prepare(pipeline);
            if (Answer(call) is { } entry)
            {
                ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
                if (entry.Truncated)
                {
                    // A started process reports its own truncation, which a replay cannot set; never play it as whole.
                    throw new NotSupportedException(
                        $"The entry of cassette '{CassettePath}' for {call.Invocation} holds output its recorder cut to a limit, and a started process would replay it as complete. Replay it with OutputStringAsync or OutputBytesAsync, which report it as truncated, or record it again.");
                }

                return Task.FromResult(ScriptedRun.Start(pipeline, ReplyFor(call, entry), _time, streaming: true, CancellationToken.None));
            }

            return _recorder.StartAsync(call, pipeline, cancellationToken);
        }
        catch (Exception ex)
        {
            return Task.FromException<RunningProcess>(ex);
        }
    }

    /// <inheritdoc/>
    public async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var call = Prepare(pipeline);
        if (Answer(call) is { } entry)
        {
            ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
            var result = await ScriptedRun.OutputStringAsync(pipeline, ReplyFor(call, entry), _time, cancellationToken).ConfigureAwait(false);
            return entry.Truncated ? result with { StdoutTruncated = true, StderrTruncated = true } : result;
        }

        return await _recorder.OutputStringAsync(call, pipeline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs (or replays) the pipeline and returns its output as bytes. A replay gives back the exact bytes recorded:
    /// output that was not valid text is stored as bytes; text is encoded with the replaying command's encoding.
    /// </summary>
    public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var call = Prepare(pipeline);
        if (Answer(call) is { } entry)
        {
            ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
            var result = await ScriptedRun.OutputBytesAsync(pipeline, ReplyFor(call, entry), _time, cancellationToken).ConfigureAwait(false);
            return entry.Truncated ? result with { StdoutTruncated = true, StderrTruncated = true } : result;
        }

        return await _recorder.OutputBytesAsync(call, pipeline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the runner disposed; false when it already was.</summary>
    private bool BeginDispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        _policy.Close();

        // Synchronously, before any await: an AsyncLocal changed inside an async method does not reach the caller's
        // flow, and the runner must leave the flow that asked for it to be watched.
        if (Volatile.Read(ref _watched) != 0)
        {
            TestFailureDetector.Forget(_policy);
        }

        return true;
    }

    private void Flush()
    {
        if (_policy.WritesOnDisposal(Records))
        {
            Save();
        }
    }

    private CassetteCall Prepare(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (pipeline.Stages.Length != 1)
        {
            throw new NotSupportedException(
                $"A cassette records single commands; '{pipeline}' has {pipeline.Stages.Length} stages. Run the stages as separate commands, or record the pipeline through a shell (sh -c '…').");
        }

        return _recorder.Prepare(pipeline.First);
    }

    /// <summary>The entry that answers a call; null when it is to be recorded; a miss when it must replay.</summary>
    private CassetteEntry? Answer(CassetteCall call)
    {
        if (!Replays)
        {
            return null;
        }

        if (_matcher.Next(call.Keys) is { } entry)
        {
            return entry;
        }

        return Records ? null : throw new CassetteMissException(call.Invocation, CassettePath);
    }

    /// <summary>What replaying <paramref name="entry"/> plays: its output (the exact bytes when it has them) and outcome.</summary>
    /// <exception cref="TetherException">The entry holds an error the recorded call returned; it is thrown again.</exception>
    private static Reply ReplyFor(CassetteCall call, CassetteEntry entry)
    {
        if (entry.Failure is { } failure)
        {
            throw failure.ToException(call.Invocation.Command.Program);
        }

        var reply = Reply.FromOutcome(entry.Outcome);
        reply = entry.StdoutBytes is { } stdout ? reply.WithStdoutBytes(stdout) : reply.WithStdout(entry.Stdout);
        return entry.StderrBytes is { } stderr ? reply.WithStderrBytes(stderr) : reply.WithStderr(entry.Stderr);
    }
}
