using System.Net;

namespace Tether.Watch;

/// <summary>What a <see cref="Watcher"/> listens on, decides with, runs and writes.</summary>
public sealed record WatcherOptions
{
    /// <summary>The Unix datagram socket to receive beats on (kernel credentials checked); null for none.</summary>
    public string? SocketPath { get; init; }

    /// <summary>The socket file's mode [default: 0600, owner only].</summary>
    public UnixFileMode SocketMode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A UDP address to receive beats on too; null for none.</summary>
    public IPEndPoint? Udp { get; init; }

    /// <summary>Trust UDP beats as operator-attested (recovery may run for them) [default: false, network-unverified].</summary>
    public bool TrustUdp { get; init; }

    /// <summary>The engine's thresholds, capacities, rates and recovery gates.</summary>
    public WatchOptions Engine { get; init; } = new();

    /// <summary>The recovery command (exec only, <c>{pid}</c> replaced); null for no recovery.</summary>
    public RecoveryCommand? Recovery { get; init; }

    /// <summary>Timeout, capture cap, environment and grace of recovery commands.</summary>
    public RecoveryOptions RecoveryOptions { get; init; } = new();

    /// <summary>The audit log file (hash-chained); null for none.</summary>
    public string? AuditFile { get; init; }

    /// <summary>The audit log's rotation settings.</summary>
    public AuditOptions? AuditOptions { get; init; }

    /// <summary>The event export file (TSV); null for none.</summary>
    public string? ExportFile { get; init; }

    /// <summary>A trace file that records every input of the engine, for replay and explanation (docs/formats/trace.md); null for none.</summary>
    public string? TraceFile { get; init; }

    /// <summary>The trace's rotation and size cap.</summary>
    public Tether.Lab.TraceWriterOptions? TraceOptions { get; init; }

    /// <summary>Where to serve Prometheus <c>/metrics</c>; null for none.</summary>
    public IPEndPoint? Metrics { get; init; }

    /// <summary>The bearer token file that a non-loopback metrics address requires.</summary>
    public string? MetricsTokenFile { get; init; }

    /// <summary>Speak the systemd notify protocol when <c>NOTIFY_SOCKET</c> is set [default: true].</summary>
    public bool SystemdNotify { get; init; } = true;

    /// <summary>
    /// How often the engine looks for finished recoveries while any run [default: 10ms; at most
    /// <see cref="Durations.LongestWait"/>]. Stalls need no period: the watcher sleeps until the engine's next deadline
    /// (<see cref="WatchEngine.NextDeadline"/>), so an idle watcher uses no CPU.
    /// </summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How many finished recoveries are reaped per tick, at most [default: 16].</summary>
    public int ReapPerTick { get; init; } = 16;

    /// <summary>The clock of the engine, the listeners, recovery timeouts and audit rows [default: the system clock].</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The runner for recovery commands [default: Tether's contained runner].</summary>
    public IProcessRunner? Runner { get; init; }
}
