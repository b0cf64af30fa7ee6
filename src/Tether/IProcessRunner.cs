namespace Tether;

/// <summary>
/// Runs commands and pipelines. <see cref="ProcessRunner"/> is the real implementation; test doubles implement the
/// same interface (the <c>Tether.Testing</c> package has scripted, recording and cassette runners). The checking verbs
/// <c>RunAsync</c>, <c>ExitCodeAsync</c> and <c>ProbeAsync</c> are extension methods
/// (<see cref="ProcessRunnerExtensions"/>) built on <see cref="OutputStringAsync"/>, so every runner gives them the
/// same semantics.
/// </summary>
public interface IProcessRunner
{
    /// <summary>
    /// The clock that decides this runner's timeouts and delays; the verbs wait retry backoffs on it. The default is
    /// the system clock; a runner with its own clock exposes it here.
    /// </summary>
    TimeProvider TimeProvider => TimeProvider.System;

    /// <summary>
    /// Starts the pipeline (a single command is a one-stage pipeline) and returns the live process. The caller owns
    /// it: disposing it kills the whole tree.
    /// </summary>
    /// <exception cref="ProgramNotFoundException">A stage's program does not exist.</exception>
    /// <exception cref="SpawnFailedException">A stage could not be started.</exception>
    /// <exception cref="UnsupportedException">The containment asked for is not available on this host.</exception>
    /// <exception cref="FileNotFoundException">The file given as standard input does not exist.</exception>
    /// <exception cref="InvalidOperationException">A one-shot standard input (stream, line source) was already used.</exception>
    Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the pipeline to the end and returns its captured output as bytes. A non-zero exit, a signal and a timeout
    /// are data in the result; cancellation throws <see cref="OperationCanceledException"/> and an output overflow under
    /// <see cref="OverflowPolicy.Error"/> throws <see cref="OutputTooLargeException"/>.
    /// </summary>
    Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the pipeline to the end and returns its output decoded with the last stage's encoding. A non-zero exit, a
    /// signal and a timeout are data in the result. The default decodes <see cref="OutputBytesAsync"/>; a runner that
    /// stores text (a cassette) answers it directly.
    /// </summary>
    async Task<ProcessResult<string>> OutputStringAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var encoding = pipeline.Last.Encoding;
        var result = await OutputBytesAsync(pipeline, cancellationToken).ConfigureAwait(false);
        return result.WithOutput(encoding.GetString);
    }
}
