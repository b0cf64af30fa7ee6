using System.Runtime.InteropServices;

namespace Tether.Cli;

/// <summary>
/// The user's requests to stop: the first SIGINT (Ctrl+C), SIGTERM or SIGHUP asks for a graceful stop
/// (<see cref="StopRequested"/>); any later one asks to kill at once (<see cref="KillRequested"/>).
/// Tether handles these itself instead of dying, so that it can stop the child's tree and report exit 130.
/// </summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _count;

    /// <summary>Cancelled by the first interrupt.</summary>
    public CancellationToken StopRequested => _stop.Token;

    /// <summary>Cancelled by the second and any later interrupt.</summary>
    public CancellationToken KillRequested => _kill.Token;

    /// <summary>Listens to SIGINT, SIGTERM and SIGHUP for the life of the returned object.</summary>
    public static Interruption ListenToSignals()
    {
        var interruption = new Interruption();
        foreach (var signal in (ReadOnlySpan<PosixSignal>)[PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP])
        {
            interruption._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true; // we stop the tree and exit ourselves; the runtime must not terminate us
                interruption.Request();
            }));
        }

        return interruption;
    }

    /// <summary>Records one interrupt: the first asks to stop, later ones ask to kill.</summary>
    public void Request()
    {
        if (Interlocked.Increment(ref _count) == 1)
        {
            _stop.Cancel();
        }
        else
        {
            _kill.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
        _kill.Dispose();
    }
}
