using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// A supervisor already runs for this project directory (it holds <c>.tether/supervisor.lock</c>); a second one is
/// refused. The message names the running supervisor's pid and what to do.
/// </summary>
public sealed class SupervisorAlreadyRunningException : Exception
{
    /// <summary>Creates the exception for <paramref name="projectDirectory"/>, whose supervisor is <paramref name="pid"/> (null when unknown).</summary>
    public SupervisorAlreadyRunningException(string projectDirectory, int? pid)
        : base($"A supervisor is already running for {projectDirectory} (pid {(pid is { } p ? p.ToString(CultureInfo.InvariantCulture) : "unknown")}); " +
            "use 'tether status' to see it or 'tether down' to stop it.")
    {
        ProjectDirectory = projectDirectory;
        Pid = pid;
    }

    /// <summary>The project directory.</summary>
    public string ProjectDirectory { get; }

    /// <summary>The running supervisor's pid, or null when its lock file did not say.</summary>
    public int? Pid { get; }
}
