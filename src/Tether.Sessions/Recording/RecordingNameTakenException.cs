namespace Tether.Sessions;

/// <summary>
/// <see cref="Recorder.Start"/> was given a name that another live recording (in another shell) already uses. A name
/// that is taken in the store is refused with <see cref="SessionExistsException"/> instead.
/// </summary>
public sealed class RecordingNameTakenException : RecordingException
{
    internal RecordingNameTakenException(string name, int otherShellPid)
        : base($"the shell with pid {otherShellPid} is already recording a session named '{name}'; choose another name")
    {
        Name = name;
        OtherShellPid = otherShellPid;
    }

    /// <summary>The name asked for.</summary>
    public string Name { get; }

    /// <summary>The shell whose recording has that name.</summary>
    public int OtherShellPid { get; }
}
