using System.Runtime.InteropServices;
using Tether.Internal;
using Tether.Spawning;
using Tether.Telemetry;

namespace Tether;

/// <summary>
/// The real <see cref="IProcessRunner"/>: spawns programs on this host with their whole tree contained (a cgroup v2
/// leaf where available, always a process group), watched by a warden process so that nothing outlives the host even
/// when it is SIGKILLed. Linux only for now; other platforms throw <see cref="PlatformNotSupportedException"/>.
/// </summary>
public sealed class ProcessRunner : IProcessRunner
{
    /// <summary>A runner on the system clock.</summary>
    public static ProcessRunner Default { get; } = new();

    /// <summary>Creates a runner whose timeouts, grace periods and durations use <paramref name="timeProvider"/> (the system clock when null).</summary>
    public ProcessRunner(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>The clock that decides timeouts, grace periods, drains and durations.</summary>
    public TimeProvider TimeProvider { get; }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        try
        {
            return Task.FromResult(Start(pipeline, streaming: true, CancellationToken.None, cancellationToken));
        }
        catch (Exception ex)
        {
            return Task.FromException<RunningProcess>(ex);
        }
    }

    /// <inheritdoc/>
    public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var process = Start(pipeline, streaming: false, cancellationToken, cancellationToken);
        await using (process.ConfigureAwait(false))
        {
            return await process.Completion.ConfigureAwait(false);
        }
    }

    private RunningProcess Start(Pipeline pipeline, bool streaming, CancellationToken runCancellation, CancellationToken startCancellation)
    {
        EnsureSupportedPlatform();
        startCancellation.ThrowIfCancellationRequested();
        foreach (var token in pipeline.AllCancellationTokens())
        {
            token.ThrowIfCancellationRequested();
        }

        var start = TimeProvider.GetTimestamp();
        var activity = RunTelemetry.Starting(pipeline, TimeProvider);
        ProcessTree tree;
        try
        {
            tree = LinuxSpawner.Spawn(pipeline, TimeProvider);
        }
        catch (Exception ex) when (activity is not null)
        {
            RunTelemetry.SpawnFailed(activity, ex, TimeProvider);
            throw;
        }

        return new RunningProcess(pipeline, tree, TimeProvider, start, streaming, runCancellation, activity);
    }

    internal static void EnsureSupportedPlatform()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                $"Tether runs processes on Linux only for now; {RuntimeInformation.OSDescription} is not supported yet because its containment is not implemented and tested.");
        }
    }
}
