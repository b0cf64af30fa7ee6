namespace Tether.Internal;

/// <summary>A reaped child's wait status with its resource usage.</summary>
internal readonly record struct ExitStatus(int RawStatus, TimeSpan CpuTime, long? PeakMemoryBytes)
{
    public Outcome ToOutcome()
    {
        var termSignal = RawStatus & 0x7f;
        if (termSignal == 0)
        {
            return new Outcome.Exited((RawStatus >> 8) & 0xff);
        }

        return new Outcome.Signalled(new Signal(termSignal));
    }
}
