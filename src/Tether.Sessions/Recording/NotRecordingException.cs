namespace Tether.Sessions;

/// <summary><see cref="Recorder.Stop"/> was asked to stop a shell that is not recording (or no longer exists).</summary>
public sealed class NotRecordingException : RecordingException
{
    internal NotRecordingException(int shellPid, bool shellExists)
        : base(shellExists
            ? "this shell is not recording; start a recording with tether rec start"
            : $"there is no shell with pid {shellPid} (any more); a recording it left is saved by stale recovery, which runs at the next tether rec start")
    {
        ShellPid = shellPid;
    }

    /// <summary>The pid that was asked about.</summary>
    public int ShellPid { get; }
}
