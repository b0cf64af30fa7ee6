namespace Tether.Supervisor;

/// <summary>How a <see cref="Supervisor"/> runs: the services, where its state lives, and the seams specs replace.</summary>
public sealed record SupervisorOptions
{
    /// <summary>The services to run; <see cref="ServiceSet.StateDirectory"/> is where journal, logs and socket live.</summary>
    public required ServiceSet Services { get; init; }

    /// <summary>
    /// Re-reads the configuration for a reload (throws <see cref="ConfigurationException"/> when the file is invalid);
    /// null when the set was built in code and cannot be re-read.
    /// </summary>
    public Func<ServiceSet>? Reread { get; init; }

    /// <summary>The clock every timer, probe period and backoff is waited on.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The runner services and exec probes run through (contained).</summary>
    public IProcessRunner Runner { get; init; } = ProcessRunner.Default;

    /// <summary>The seed of the engine's random source (restart jitter); null draws one and records it.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Send READY=1 and WATCHDOG=1 to <c>NOTIFY_SOCKET</c> (systemd's notify protocol) when it is set.</summary>
    public bool Notify { get; init; }

    /// <summary>Called with every line of every service as it is read (the foreground view of <c>tether up</c>); may be null.</summary>
    public Action<LogLine>? OnLine { get; init; }

    /// <summary>Called with every decision of the engine, in order, on the supervisor's loop (journal-bound facts included); may be null.</summary>
    public Action<SupervisorDecision>? OnDecision { get; init; }

    /// <summary>A trace file that records every input of the engine, for replay and explanation (docs/formats/trace.md); null for none.</summary>
    public string? TraceFile { get; init; }

    /// <summary>The trace's rotation, size cap and chunking; null for <see cref="SupervisorTraceRecorder.DefaultOptions"/>.</summary>
    public Tether.Lab.TraceWriterOptions? TraceOptions { get; init; }

    /// <summary>Lines kept in memory per service for <c>tether logs</c>.</summary>
    public int LogRingLines { get; init; } = 1000;
}
