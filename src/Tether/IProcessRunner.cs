namespace Tether;

/// <summary>
/// Runs commands and pipelines. <see cref="ProcessRunner"/> is the real implementation; test doubles implement the
/// same interface. The verbs <c>OutputStringAsync</c>, <c>RunAsync</c>, <c>ExitCodeAsync</c> and <c>ProbeAsync</c>
/// are extension methods (<see cref="ProcessRunnerExtensions"/>) built on these two primitives.
/// </summary>
public interface IProcessRunner
{
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
}
