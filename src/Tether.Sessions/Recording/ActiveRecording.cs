namespace Tether.Sessions;

/// <summary>A recording in progress in one shell, as <see cref="Recorder.Start"/> and <see cref="Recorder.Status"/> see it.</summary>
/// <param name="Name">The name the session will be saved under (unless it is taken by then; see <see cref="SavedRecording.Name"/>).</param>
/// <param name="Id">The session's id (a UUID), fixed when the recording started.</param>
/// <param name="Shell">The shell: <c>bash</c>, <c>zsh</c> or <c>fish</c>.</param>
/// <param name="ShellPid">The recording shell's pid (not the pid of the <c>tether</c> process that started it).</param>
/// <param name="Started">When the recording started.</param>
/// <param name="CommandCount">The commands recorded so far, a command still running included.</param>
public sealed record ActiveRecording(string Name, string Id, string Shell, int ShellPid, DateTimeOffset Started, int CommandCount);
