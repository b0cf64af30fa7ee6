using System.Collections.Immutable;

namespace Tether.Watch;

/// <summary>
/// Runs recovery commands for stalled agents — the execution side; when to recover is the engine's decision. Each
/// child runs through an <see cref="IProcessRunner"/> (Tether's contained runner by default): exec only, its whole
/// tree contained, stdin empty, output captured up to <see cref="RecoveryOptions.CaptureBytes"/> per stream (only the
/// sizes are reported), environment cleared to <c>PATH=/usr/bin:/bin</c> plus the explicit variables unless
/// <see cref="RecoveryOptions.InheritEnvironment"/>, and the whole tree stopped (SIGTERM, grace, SIGKILL) when
/// <see cref="RecoveryOptions.Timeout"/> runs out.
/// </summary>
/// <remarks>
/// <see cref="TryStart"/> never waits for a child and never throws for a child that cannot start: that is reported
/// by <see cref="Reap"/> as a <see cref="RecoveryCompletion"/> with a <see cref="RecoveryCompletion.Failure"/>.
/// Finished recoveries stay in the in-flight table until reaped; <see cref="Reap"/> walks the table from a cursor that
/// keeps rotating, so with a small per-tick budget every finished slot is reported in turn. Disposing shuts down:
/// every running child gets SIGTERM, <see cref="RecoveryOptions.Grace"/>, then SIGKILL, and disposal returns once all
/// of them are gone. Completions of that shutdown can still be reaped afterwards. Safe to call from any thread.
/// </remarks>
public sealed class RecoveryRunner : IAsyncDisposable
{
    private readonly RecoveryCommand _command;
    private readonly IProcessRunner _runner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private readonly Command _template;
    private readonly Lock _lock = new();
    private readonly List<Flight> _flights = [];
    private readonly TaskCompletionSource _shutDown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _cursor;
    private bool _shuttingDown;
    private int _disposeCalls;

    /// <summary>Creates a runner for <paramref name="command"/>.</summary>
    /// <param name="command">The recovery command; <c>{pid}</c> in its words becomes the agent's pid.</param>
    /// <param name="options">Timeout, capture, environment and grace.</param>
    /// <param name="runner">The process runner (default <see cref="ProcessRunner.Default"/>).</param>
    /// <param name="time">The clock durations are measured on (default the system clock).</param>
    /// <exception cref="ArgumentException">An explicit environment variable has an invalid name, or a NUL in its value.</exception>
    public RecoveryRunner(RecoveryCommand command, RecoveryOptions options, IProcessRunner? runner = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(options);
        _command = command;
        _runner = runner ?? ProcessRunner.Default;
        _time = time ?? TimeProvider.System;
        _grace = options.Grace;
        _template = Template(command, options);
    }

    /// <summary>Recoveries started and not yet returned by <see cref="Reap"/> (running, or finished and waiting to be reaped).</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _flights.Count;
            }
        }
    }

    /// <summary>Recoveries whose child has not finished yet.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _flights.Count(f => f.Completion is null);
            }
        }
    }

    /// <summary>
    /// Starts the recovery <paramref name="recoveryId"/> for the agent <paramref name="pid"/> without waiting for it:
    /// the child runs <see cref="RecoveryCommand.Argv"/> of the pid. A child that cannot start is not an exception
    /// here; <see cref="Reap"/> reports it as a completion with a failure.
    /// </summary>
    /// <returns>
    /// True when the recovery is now in flight; false when the runner is shutting down or a recovery with the same id is
    /// still in flight (nothing is started).
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pid"/> is not positive.</exception>
    public bool TryStart(long recoveryId, int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        var argv = _command.Argv(pid);
        var command = _template.WithProgram(argv[0]).WithArguments(argv.RemoveAt(0));
        Flight flight;
        lock (_lock)
        {
            if (_shuttingDown || _flights.Exists(f => f.RecoveryId == recoveryId))
            {
                return false;
            }

            flight = new Flight(recoveryId, pid, _time.GetTimestamp());
            _flights.Add(flight);
        }

        // Tether's runner spawns synchronously and returns a started process; the run itself is awaited on the pool.
        _ = RunAsync(flight, command);
        return true;
    }

    /// <summary>
    /// Returns up to <paramref name="max"/> recoveries that finished since they were started and were not reaped yet,
    /// and removes them from the in-flight table. The walk starts where the previous one stopped and wraps around, so a
    /// small <paramref name="max"/> per tick reports every finished recovery in turn. Never waits.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="max"/> is negative.</exception>
    public IReadOnlyList<RecoveryCompletion> Reap(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_lock)
        {
            if (max == 0 || _flights.Count == 0)
            {
                return [];
            }

            var reaped = new List<RecoveryCompletion>(Math.Min(max, _flights.Count));
            var index = _cursor % _flights.Count;
            for (var toVisit = _flights.Count; toVisit > 0 && reaped.Count < max; toVisit--)
            {
                if (_flights[index].Completion is { } completion)
                {
                    reaped.Add(completion);
                    _flights.RemoveAt(index); // the next slot moves into this index
                    if (index >= _flights.Count)
                    {
                        index = 0;
                    }
                }
                else
                {
                    index = (index + 1) % _flights.Count;
                }
            }

            _cursor = index;
            return reaped;
        }
    }

    /// <summary>
    /// Shuts down: refuses new recoveries, stops every running child's tree (SIGTERM, <see cref="RecoveryOptions.Grace"/>,
    /// SIGKILL) and returns once all are gone. Their completions can still be reaped. Calling it again waits for the
    /// same shutdown.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposeCalls, 1) != 0)
        {
            await _shutDown.Task.ConfigureAwait(false);
            return;
        }

        Flight[] flights;
        RunningProcess[] running;
        lock (_lock)
        {
            _shuttingDown = true;
            flights = [.. _flights];
            running = [.. flights.Where(f => f.Completion is null && f.Process is not null).Select(f => f.Process!)];
        }

        // A child still being started when the flag went up is stopped by its own flight as soon as it has a process.
        await Task.WhenAll(running.Select(p => StopQuietlyAsync(p, _grace))).ConfigureAwait(false);
        await Task.WhenAll(flights.Select(f => f.Done.Task)).ConfigureAwait(false);
        _shutDown.TrySetResult();
    }

    private static Command Template(RecoveryCommand command, RecoveryOptions options)
    {
        var template = new Command(command.Program)
            .WithStdin(StandardInput.Empty)
            .WithTimeout(options.Timeout)
            .WithGrace(options.Grace)
            .WithOutputLimit(options.CaptureBytes, OverflowPolicy.KeepOldest);
        template = options.InheritEnvironment
            ? template.WithInheritedEnvironment()
            : template.WithClearedEnvironment().WithEnvironmentVariable("PATH", RecoveryOptions.ClearedPath);
        foreach (var (name, value) in options.Environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            template = template.WithEnvironmentVariable(name, value);
        }

        return template;
    }

    private async Task RunAsync(Flight flight, Command command)
    {
        RecoveryCompletion completion;
        try
        {
            completion = await ObserveAsync(flight, command).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Whatever happens, the recovery must end in the table: an exception here would otherwise be lost.
            completion = Failed(flight, RecoveryFailureKind.RunFailed, ex.GetType().Name);
        }

        lock (_lock)
        {
            flight.Completion = completion;
        }

        flight.Done.TrySetResult();
    }

    private async Task<RecoveryCompletion> ObserveAsync(Flight flight, Command command)
    {
        Task<RunningProcess> starting;
        try
        {
            starting = _runner.StartAsync(command);
        }
        catch (Exception ex)
        {
            starting = Task.FromException<RunningProcess>(ex); // a runner that throws instead of faulting its task
        }

        RunningProcess process;
        try
        {
            process = await starting.ConfigureAwait(false);
        }
        catch (ProgramNotFoundException ex)
        {
            var where = ex.SearchedPaths.Count == 0 ? "no such file" : "looked in " + string.Join(", ", ex.SearchedPaths.Take(12));
            return Failed(flight, RecoveryFailureKind.ProgramNotFound, where);
        }
        catch (SpawnFailedException ex)
        {
            return Failed(flight, RecoveryFailureKind.SpawnFailed, ex.Errno == 0 ? ex.Reason : $"{ex.Reason} (errno {ex.Errno})");
        }
        catch (UnsupportedException ex)
        {
            return Failed(flight, RecoveryFailureKind.Unsupported, ex.Reason);
        }
        catch (Exception ex)
        {
            // Other messages may quote the command line, arguments included; the type is enough to tell what happened.
            return Failed(flight, RecoveryFailureKind.SpawnFailed, ex.GetType().Name);
        }

        await using (process.ConfigureAwait(false))
        {
            bool stopNow;
            lock (_lock)
            {
                flight.Process = process;
                stopNow = _shuttingDown;
            }

            if (stopNow)
            {
                _ = StopQuietlyAsync(process, _grace);
            }

            ProcessResult<byte[]> result;
            try
            {
                result = await process.WaitBytesAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                return Failed(flight, RecoveryFailureKind.RunFailed, ex.GetType().Name);
            }

            return new RecoveryCompletion(flight.RecoveryId, flight.Pid, result.Outcome, null, _time.GetElapsedTime(flight.StartedAt),
                result.Stdout.Length, result.Stderr.Length, result.StdoutTruncated, result.StderrTruncated);
        }
    }

    private RecoveryCompletion Failed(Flight flight, RecoveryFailureKind kind, string reason) =>
        new(flight.RecoveryId, flight.Pid, null, new RecoveryFailure(kind, reason), _time.GetElapsedTime(flight.StartedAt), 0, 0, false, false);

    private static async Task StopQuietlyAsync(RunningProcess process, TimeSpan grace)
    {
        try
        {
            await process.StopAsync(grace).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The flight that owns the process observes and reports how its run ended.
        }
    }

    /// <summary>One slot of the in-flight table.</summary>
    private sealed class Flight(long recoveryId, int pid, long startedAt)
    {
        public long RecoveryId { get; } = recoveryId;

        public int Pid { get; } = pid;

        public long StartedAt { get; } = startedAt;

        /// <summary>The live child once started (under the runner's lock).</summary>
        public RunningProcess? Process { get; set; }

        /// <summary>Set (under the runner's lock) when the recovery finished; then it waits to be reaped.</summary>
        public RecoveryCompletion? Completion { get; set; }

        /// <summary>Completes once <see cref="Completion"/> is set and the child's tree is gone.</summary>
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
