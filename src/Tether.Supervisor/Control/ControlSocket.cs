namespace Tether.Supervisor;

/// <summary>Where a project's supervisor listens: <c>.tether/control.sock</c> beside <c>tether.yaml</c>.</summary>
public static class ControlSocket
{
    /// <summary>The socket's file name inside the state directory.</summary>
    public const string FileName = "control.sock";

    /// <summary>The control socket of the supervisor whose state lives in <paramref name="stateDirectory"/> (<see cref="ServiceSet.StateDirectory"/>).</summary>
    public static string In(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>The control socket of the project in <paramref name="projectDirectory"/>: <c>DIR/.tether/control.sock</c>.</summary>
    public static string ForProject(string projectDirectory) => In(Path.Combine(projectDirectory, ".tether"));
}
