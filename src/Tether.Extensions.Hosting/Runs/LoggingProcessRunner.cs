using Microsoft.Extensions.Logging;

namespace Tether.Extensions.Hosting;

/// <summary>
/// The runner <c>AddTether</c> injects: runs go to the inner runner unchanged, and each one's start and end are logged
/// in the <see cref="TetherLogCategories.Runs"/> category — the command line through the redaction policy (secret
/// arguments, secret flags' values, URL passwords masked; environment values never), the pid, the outcome, the duration.
/// </summary>
internal sealed class LoggingProcessRunner : IProcessRunner
{
    private readonly IProcessRunner _inner;
    private readonly ILogger _logger;
    private readonly RedactionPolicy _policy;

    public LoggingProcessRunner(IProcessRunner inner, ILogger logger, RedactionPolicy policy)
    {
        _inner = inner;
        _logger = logger;
        _policy = policy;
    }

    /// <summary>The runner whose runs are logged.</summary>
    public IProcessRunner Inner => _inner;

    public TimeProvider TimeProvider => _inner.TimeProvider;

    public async Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var command = Describe(pipeline);
        RunningProcess process;
        try
        {
            process = await _inner.StartAsync(pipeline, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && _logger.IsEnabled(LogLevel.Warning))
        {
            RunLog.NotStarted(_logger, command, _policy.Redact(ex.Message));
            throw;
        }

        RunLog.Started(_logger, command, process.Pid, process.Mechanism);
        _ = LogEndAsync(process, command);
        return process;
    }

    public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return await LogAsync(pipeline, () => _inner.OutputBytesAsync(pipeline, cancellationToken)).ConfigureAwait(false);
    }

    public async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        return await LogAsync(pipeline, () => _inner.OutputStringAsync(pipeline, cancellationToken)).ConfigureAwait(false);
    }

    private async Task<ProcessResult<T>> LogAsync<T>(Pipeline pipeline, Func<Task<ProcessResult<T>>> run)
    {
        var command = Describe(pipeline);
        var began = _inner.TimeProvider.GetTimestamp();
        try
        {
            var result = await run().ConfigureAwait(false);
            LogResult(command, result.Outcome, result.OkExitCodes, result.Duration);
            return result;
        }
        catch (Exception ex)
        {
            var elapsed = _inner.TimeProvider.GetElapsedTime(began);
            if (ex is ProgramNotFoundException or SpawnFailedException)
            {
                RunLog.NotStarted(_logger, command, _policy.Redact(ex.Message));
            }
            else
            {
                RunLog.Aborted(_logger, command, Reason(ex, elapsed));
            }

            throw;
        }
    }

    private async Task LogEndAsync(RunningProcess process, string command)
    {
        var began = _inner.TimeProvider.GetTimestamp();
        try
        {
            var result = await process.WaitBytesAsync(CancellationToken.None).ConfigureAwait(false);
            LogResult(command, result.Outcome, result.OkExitCodes, result.Duration);
        }
        catch (Exception ex)
        {
            // The owner of the process hears the same exception from its own wait; here it is only logged.
            RunLog.Aborted(_logger, command, Reason(ex, _inner.TimeProvider.GetElapsedTime(began)));
        }
    }

    private void LogResult(string command, Outcome outcome, IReadOnlyCollection<int> okExitCodes, TimeSpan duration)
    {
        if (outcome.IsSuccess(okExitCodes))
        {
            RunLog.Ended(_logger, command, outcome.ToString(), duration.TotalMilliseconds);
        }
        else
        {
            RunLog.Failed(_logger, command, outcome.ToString(), duration.TotalMilliseconds);
        }
    }

    private string Reason(Exception ex, TimeSpan elapsed) => ex is OperationCanceledException
        ? $"cancelled after {elapsed.TotalMilliseconds:0} ms"
        : _policy.Redact(ex.Message);

    /// <summary>The command line as logged: the command's own redaction, then the host's extra flags and patterns.</summary>
    private string Describe(Pipeline pipeline) => _policy.Redact(pipeline.ToString());
}
