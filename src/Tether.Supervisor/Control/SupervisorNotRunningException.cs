namespace Tether.Supervisor;

/// <summary>No supervisor answers on the control socket: none was started in that project, or it has exited.</summary>
public sealed class SupervisorNotRunningException : Exception
{
    /// <summary>Creates the exception for the socket at <paramref name="socketPath"/>.</summary>
    public SupervisorNotRunningException(string socketPath, Exception? innerException = null)
        : base($"no supervisor runs here ({socketPath} does not answer): start one with 'tether up' (or 'tether up -d'), or point at its project with -f FILE", innerException)
    {
        SocketPath = socketPath;
    }

    /// <summary>The control socket that did not answer.</summary>
    public string SocketPath { get; }
}
