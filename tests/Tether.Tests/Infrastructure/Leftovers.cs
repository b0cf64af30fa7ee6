namespace Tether.Tests.Infrastructure;

/// <summary>
/// Processes a spec learned about (a grandchild the dummy reported, pids a host printed) that must not outlive the
/// spec whatever happens: disposing kills every one still alive.
/// </summary>
internal sealed class Leftovers : IDisposable
{
    private readonly List<TrackedProcess> _processes = [];

    public TrackedProcess Track(int pid)
    {
        var process = TrackedProcess.Of(pid);
        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>Tracks <paramref name="pid"/> if it is still alive; returns null when it is already gone.</summary>
    public TrackedProcess? TrackIfAlive(int pid)
    {
        if (TrackedProcess.TryOf(pid) is not { } process)
        {
            return null;
        }

        lock (_processes)
        {
            _processes.Add(process);
        }

        return process;
    }

    public void Dispose()
    {
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                ProcessTable.Kill(process);
            }
        }
    }
}
