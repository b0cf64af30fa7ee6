namespace Tether.Internal;

/// <summary>How one stage ended, with its resource usage.</summary>
internal readonly record struct ExitStatus(Outcome Outcome, TimeSpan CpuTime, long? PeakMemoryBytes)
{
    /// <summary>Decodes a reaped child's raw wait status.</summary>
    public static ExitStatus FromWaitStatus(int rawStatus, TimeSpan cpuTime, long? peakMemoryBytes)
    {
        var termSignal = rawStatus & 0x7f;
        Outcome outcome = termSignal == 0
            ? new Outcome.Exited((rawStatus >> 8) & 0xff)
            : new Outcome.Signalled(new Signal(termSignal));
        return new ExitStatus(outcome, cpuTime, peakMemoryBytes);
    }
}
