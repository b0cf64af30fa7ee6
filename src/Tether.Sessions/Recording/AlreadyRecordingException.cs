namespace Tether.Sessions;

/// <summary>
/// <see cref="Recorder.Start"/> was asked to record a shell that is already recording: one recording per shell. The
/// running recording is not touched.
/// </summary>
public sealed class AlreadyRecordingException : RecordingException
{
    internal AlreadyRecordingException(int shellPid, string name)
        : base($"this shell is already recording '{name}'; stop it first (tether rec stop)")
    {
        ShellPid = shellPid;
        Name = name;
    }

    /// <summary>The shell's pid.</summary>
    public int ShellPid { get; }

    /// <summary>The name of the recording in progress.</summary>
    public string Name { get; }
}
