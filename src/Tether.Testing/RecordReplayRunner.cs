using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using System.Text;
using Tether.Testing.Cassettes;
using Tether.Testing.Scripting;

namespace Tether.Testing;

/// <summary>
/// Records real runs to a cassette file and replays them without spawning anything — run the real tool once, then
/// replay the captured results in every test run after, fast and hermetic. The cassette is processkit's JSON format,
/// version 1 (docs/formats/cassette.md).
/// </summary>
/// <remarks>
/// <para><b>Matching.</b> An invocation is matched on program + arguments + working directory + whether stdin was given
/// + a digest of the stdin source; the environment is not part of the key (only variable names are stored). A key
/// recorded several times replays its entries in capture order, then the last one forever.</para>
/// <para><b>Replay.</b> A replayed entry is played through a real <see cref="RunningProcess"/>: the replaying command's
/// ok exit codes, line handlers, tees and readiness waits apply, <c>StartAsync</c> streams the recorded output through
/// the real pumps, and a recorded timeout is reported with the replaying command's own timeout.</para>
/// <para><b>Saving.</b> <see cref="Save"/> writes the cassette atomically, owner-only and never through a symlink.
/// Disposal flushes recordings not yet saved — unless the test failed. .NET has no "this scope is unwinding because
/// of an exception" signal, so the runner treats a run as failed when (1) <see cref="UseAsync"/>'s body threw, (2)
/// <see cref="Discard"/> was called, or (3) a test-framework assertion (xUnit, NUnit, MSTest, Shouldly) failed in the
/// code that created the runner — seen as a first-chance exception in that async flow. In those cases nothing is
/// written on disposal; an explicit <see cref="Save"/> still writes.</para>
/// <para><b>Not supported</b>, in every mode, each with <see cref="NotSupportedException"/>: the bytes verb
/// (<see cref="OutputBytesAsync"/>; a cassette stores text), one-shot and interactive stdin (they cannot be keyed),
/// and pipelines of several stages.</para>
/// <para>Thread-safe: concurrent calls record and replay correctly; entries are ordered by when each call started; no
/// user code (inner runner, line handlers, redaction) runs while the cassette lock is held.</para>
/// </remarks>
public sealed class RecordReplayRunner : IProcessRunner, IAsyncDisposable, IDisposable
{
    private static readonly AsyncLocal<ImmutableList<RecordReplayRunner>?> s_createdInFlow = new();

    private readonly IProcessRunner _inner;
    private readonly RedactionPolicy _redaction;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly ImmutableArray<CassetteEntry> _loaded;
    private readonly Dictionary<string, List<CassetteEntry>> _replayable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _cursors = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, CassetteEntry> _recorded = [];
    private readonly HashSet<Task> _pending = [];
    private long _sequence;
    private bool _dirty;
    private string? _failure;
    private int _disposed;

    static RecordReplayRunner() => AppDomain.CurrentDomain.FirstChanceException += (_, e) => OnFirstChanceException(e.Exception);

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
        _inner = inner ?? ProcessRunner.Default;
        _redaction = redaction ?? RedactionPolicy.Default;
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
            _loaded = Cassette.Load(path).Entries;
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

        foreach (var entry in _loaded)
        {
            // An entry this library recorded holds arguments already redacted, exactly as a live invocation's key is
            // computed; one recorded elsewhere (processkit) may hold the secrets themselves, which match once redacted.
            // Redacting ours again could change them (a pattern matching the marker), so each entry answers both keys.
            var stored = Key(entry.Program, entry.Arguments, entry.WorkingDirectory, entry.HasStdin, entry.StdinDigest);
            var redacted = Key(entry.Program, [.. _redaction.For(entry.Program, entry.Arguments).Arguments.Select(Cassette.Lossy)], entry.WorkingDirectory, entry.HasStdin, entry.StdinDigest);
            AddReplayable(stored, entry);
            if (redacted != stored)
            {
                AddReplayable(redacted, entry);
            }
        }

        ImmutableList<RecordReplayRunner> created = s_createdInFlow.Value ?? [];
        s_createdInFlow.Value = created.Add(this);
    }

    /// <summary>The cassette file.</summary>
    public string CassettePath { get; }

    /// <summary>The mode asked for.</summary>
    public CassetteMode Mode { get; }

    /// <summary>True when known invocations are answered from the cassette (Replay, NewEpisodes, Once with an existing cassette).</summary>
    public bool Replays { get; }

    /// <summary>True when invocations are run for real and recorded (Record, NewEpisodes, Once without a cassette).</summary>
    public bool Records { get; }

    /// <summary>Why disposal will not write the recording (a failed test, <see cref="Discard"/>), or null.</summary>
    public string? DiscardReason
    {
        get
        {
            lock (_lock)
            {
                return _failure;
            }
        }
    }

    /// <summary>
    /// The entries a save would write: for Record (and Once recording), those recorded so far; for NewEpisodes, the
    /// loaded ones followed by the new ones; for a pure replay, the loaded ones.
    /// </summary>
    public ImmutableArray<CassetteEntry> Entries
    {
        get
        {
            lock (_lock)
            {
                return Records ? [.. (Replays ? _loaded : []), .. _recorded.Values] : _loaded;
            }
        }
    }

    /// <summary>Entries recorded in this session.</summary>
    public int RecordedCount
    {
        get
        {
            lock (_lock)
            {
                return _recorded.Count;
            }
        }
    }

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
    /// Writes the cassette now (atomically, owner-only, never through a symlink) with every call recorded and finished so
    /// far. Does nothing in a pure replay. A started process still running is added when it ends, by a later save or by
    /// disposal; <see cref="SaveAsync"/> waits for them.
    /// </summary>
    /// <exception cref="CassetteException">The file could not be written; the previous one is intact.</exception>
    public void Save()
    {
        if (!Records)
        {
            return;
        }

        byte[] json;
        lock (_lock)
        {
            json = new Cassette([.. (Replays ? _loaded : []), .. _recorded.Values]).ToJson();
        }

        try
        {
            if (json.Length > Cassette.MaxFileBytes)
            {
                // A file no load would accept is not written; the previous cassette stays.
                throw new CassetteException(CassetteProblem.TooLarge, CassettePath,
                    $"Cassette '{CassettePath}' would be {json.Length} bytes, more than the {Cassette.MaxFileBytes / (1024 * 1024)} MiB a cassette may have; record less output per test. Nothing was written.");
            }

            CassetteFile.WriteAtomically(CassettePath, json);
            lock (_lock)
            {
                _dirty = false;
            }
        }
        catch (CassetteException ex)
        {
            lock (_lock)
            {
                // The caller sees this error; disposal must not retry and throw it a second time.
                _failure ??= $"saving failed: {ex.Message}";
            }

            throw;
        }
    }

    /// <summary>Waits for started processes that are being recorded to end, then saves; see <see cref="Save"/>.</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        await WaitForPendingAsync(cancellationToken).ConfigureAwait(false);
        Save();
    }

    /// <summary>
    /// Drops what was recorded and not yet saved, and keeps disposal from writing anything. Call it when the test
    /// failed in a way the runner cannot see.
    /// </summary>
    public void Discard(string? reason = null)
    {
        lock (_lock)
        {
            _failure ??= reason ?? "Discard() was called";
            _recorded.Clear();
            _dirty = false;
        }
    }

    /// <summary>Waits for recordings in progress and writes what is unsaved — unless the test failed (see the remarks).</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        // Synchronously, before any await: an AsyncLocal changed inside an async method does not reach the caller's
        // flow, and the runner must leave the flow that created it.
        Forget();
        return FinishAsync();

        async ValueTask FinishAsync()
        {
            await WaitForPendingAsync(CancellationToken.None).ConfigureAwait(false);
            Flush();
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Forget();
        WaitForPendingAsync(CancellationToken.None).GetAwaiter().GetResult();
        Flush();
    }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        try
        {
            var call = Prepare(pipeline);
            if (Answer(call) is { } reply)
            {
                ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
                return Task.FromResult(ScriptedRun.Start(pipeline, reply, _time, streaming: true, CancellationToken.None));
            }

            return RecordStartAsync(call, pipeline, cancellationToken);
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
        if (Answer(call) is { } reply)
        {
            ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);
            return await ScriptedRun.OutputStringAsync(pipeline, reply, _time, cancellationToken).ConfigureAwait(false);
        }

        var result = await _inner.OutputStringAsync(pipeline, cancellationToken).ConfigureAwait(false);
        if (result.Truncated)
        {
            throw Truncated(call);
        }

        Capture(call, result);
        return result;
    }

    /// <summary>Not supported on a cassette, in any mode: a cassette stores text (lossily), so bytes could not be replayed faithfully.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default) =>
        Task.FromException<ProcessResult<byte[]>>(new NotSupportedException(
            "OutputBytesAsync is not supported on a cassette: cassettes store output as text, so bytes could not be replayed exactly. Use OutputStringAsync (or RunAsync, StartAsync) instead."));

    private static void OnFirstChanceException(Exception exception)
    {
        if (s_createdInFlow.Value is not { IsEmpty: false } runners || !IsTestFailure(exception))
        {
            return;
        }

        var firstLine = exception.Message.Split('\n', 2)[0].Trim();
        foreach (var runner in runners)
        {
            runner.MarkFailed($"a test assertion failed ({exception.GetType().Name}: {firstLine})");
        }
    }

    /// <summary>True for the exceptions test frameworks throw when an assertion fails.</summary>
    private static bool IsTestFailure(Exception exception)
    {
        for (var type = exception.GetType(); type is not null && type != typeof(Exception); type = type.BaseType)
        {
            switch (type.FullName)
            {
                case "Xunit.Sdk.XunitException":
                case "NUnit.Framework.AssertionException":
                case "NUnit.Framework.MultipleAssertException":
                case "Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException":
                case "Shouldly.ShouldAssertException":
                    return true;
            }
        }

        return false;
    }

    private void MarkFailed(string reason)
    {
        lock (_lock)
        {
            _failure ??= reason;
        }
    }

    private void Forget()
    {
        if (s_createdInFlow.Value is { } runners && runners.Contains(this))
        {
            s_createdInFlow.Value = runners.Remove(this);
        }
    }

    private void Flush()
    {
        bool write;
        lock (_lock)
        {
            write = Records && _dirty && _failure is null;
        }

        if (write)
        {
            Save();
        }
    }

    private async Task WaitForPendingAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task[] pending;
            lock (_lock)
            {
                _pending.RemoveWhere(t => t.IsCompleted);
                pending = [.. _pending];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private Call Prepare(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (pipeline.Stages.Length != 1)
        {
            throw new NotSupportedException(
                $"A cassette records single commands; '{pipeline}' has {pipeline.Stages.Length} stages. Run the stages as separate commands, or record the pipeline through a shell (sh -c '…').");
        }

        var command = pipeline.First;
        var digest = StdinDigest.Of(command.Stdin, command.Encoding); // throws for one-shot and interactive stdin
        var arguments = _redaction.For(command).Arguments.Select(Cassette.Lossy).ToImmutableArray();
        var entry = new CassetteEntry
        {
            Program = Cassette.Lossy(command.Program),
            Arguments = arguments,
            WorkingDirectory = command.WorkingDirectory is { } cwd ? Cassette.Lossy(cwd) : null,
            StdinDigest = digest,
            HasStdin = command.Stdin.Kind != StandardInputKind.Empty,
            EnvironmentNames = [.. command.Environment.Overrides.Keys.Select(Cassette.Lossy).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Outcome = new Outcome.Exited(0),
        };
        return new Call(Invocation.Of(command), entry, Key(entry.Program, entry.Arguments, entry.WorkingDirectory, entry.HasStdin, entry.StdinDigest), Interlocked.Increment(ref _sequence));
    }

    /// <summary>The reply for a call the cassette answers; null when it is to be recorded; a miss when it must replay.</summary>
    private Reply? Answer(Call call)
    {
        if (Replays)
        {
            CassetteEntry? entry = null;
            lock (_lock)
            {
                if (_replayable.TryGetValue(call.Key, out var entries))
                {
                    var index = _cursors.GetValueOrDefault(call.Key);
                    _cursors[call.Key] = index + 1;
                    entry = entries[Math.Min(index, entries.Count - 1)];
                }
            }

            if (entry is not null)
            {
                return Reply.FromOutcome(entry.Outcome, entry.Stdout, entry.Stderr);
            }

            if (!Records)
            {
                throw new CassetteMissException(call.Invocation, CassettePath);
            }
        }

        return null;
    }

    private async Task<RunningProcess> RecordStartAsync(Call call, Pipeline pipeline, CancellationToken cancellationToken)
    {
        var process = await _inner.StartAsync(pipeline, cancellationToken).ConfigureAwait(false);
        var capture = CaptureWhenEndedAsync(call, process);
        lock (_lock)
        {
            if (!capture.IsCompleted)
            {
                _pending.Add(capture);
            }
        }

        return process;
    }

    private async Task CaptureWhenEndedAsync(Call call, RunningProcess process)
    {
        try
        {
            var result = await process.WaitAsync().ConfigureAwait(false);
            if (result.Truncated)
            {
                // Nobody awaits this capture to be told; keep the incomplete recording from being flushed instead.
                MarkFailed(Truncated(call).Message);
                return;
            }

            Capture(call, result);
        }
        catch (Exception)
        {
            // Cancelled, overflowed or failed: not a result, so nothing is recorded (as a spawn failure records nothing).
            // The owner of the process observes the error through its own wait.
        }
    }

    /// <summary>A result cut by its output limit: a cassette has no field for that, so it would replay as complete.</summary>
    private NotSupportedException Truncated(Call call) =>
        new($"The output of {call.Invocation} was cut to its output limit, and a cassette would replay it as if complete, so it was not recorded. Raise the limit (Command.WithOutputLimit) for the recording.");

    private void Capture(Call call, ProcessResult<string> result)
    {
        var entry = call.Entry with
        {
            Stdout = Cassette.Lossy(RedactOutput(call.Invocation.Command, result.Stdout)),
            Stderr = Cassette.Lossy(RedactOutput(call.Invocation.Command, result.Stderr)),
            Outcome = result.Outcome is Outcome.TimedOut ? new Outcome.TimedOut(TimeoutKind.Overall, TimeSpan.Zero) : result.Outcome,
        };
        lock (_lock)
        {
            if (_failure is not null && Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            _recorded[call.Sequence] = entry;
            _dirty = true;
        }
    }

    /// <summary>Output with the rules applied and every value masked in the command's arguments (marked secret or
    /// found by a rule) masked too, should the program print it.</summary>
    private string RedactOutput(Command command, string text) => _redaction.For(command).Output(text);

    private void AddReplayable(string key, CassetteEntry entry)
    {
        if (!_replayable.TryGetValue(key, out var list))
        {
            _replayable[key] = list = [];
        }

        list.Add(entry);
    }

    private static string Key(string program, ImmutableArray<string> arguments, string? cwd, bool hasStdin, ulong? digest)
    {
        // NUL cannot occur in a program, an argument or a path (Command refuses it), so it separates fields unambiguously.
        var key = new StringBuilder(program);
        foreach (var argument in arguments)
        {
            key.Append('\0').Append('a').Append(argument);
        }

        key.Append('\0').Append(cwd is null ? "-" : "d" + cwd);
        key.Append('\0').Append(hasStdin ? 'i' : '-');
        key.Append('\0').Append(digest?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
        return key.ToString();
    }

    private sealed record Call(Invocation Invocation, CassetteEntry Entry, string Key, long Sequence);
}
