using System.Globalization;

namespace Tether.Sessions;

/// <summary>
/// The shell a <c>tether rec</c> command acts on. The <c>tether</c> function that <c>tether rec init</c> defines passes
/// the shell's own pid and kind to the tool in <see cref="PidVariable"/> and <see cref="ShellVariable"/>; without them
/// (the binary run directly) the parent process is taken as the shell.
/// </summary>
/// <param name="Pid">The shell's pid.</param>
/// <param name="Shell">The shell's kind (<c>bash</c>, <c>zsh</c>, <c>fish</c>), or null when it cannot be told.</param>
/// <param name="HooksLoaded">True when that shell has loaded the recording hooks: the <c>tether</c> shell function ran
/// the tool (it sets <see cref="PidVariable"/>), or <see cref="HooksVariable"/> names the shell's pid. Without them a
/// recording would save nothing.</param>
public sealed record RecordingShell(int Pid, string? Shell, bool HooksLoaded = true)
{
    /// <summary>Exported by a shell that loaded the hooks: its own pid (a child shell inherits it with another pid).</summary>
    public const string HooksVariable = "TETHER_REC_HOOKS";

    /// <summary>Set by the shell function for the tool: the recording shell's pid (<c>$$</c>, <c>$fish_pid</c>).</summary>
    public const string PidVariable = "TETHER_REC_SHELL_PID";

    /// <summary>Set by the shell function for the tool: <c>bash</c>, <c>zsh</c> or <c>fish</c>.</summary>
    public const string ShellVariable = "TETHER_REC_SHELL";

    /// <summary>
    /// The shell of the current process: <see cref="PidVariable"/> and <see cref="ShellVariable"/> when the shell
    /// function set them, else the parent process and the kernel's name for it (when it is bash, zsh or fish).
    /// Linux only.
    /// </summary>
    public static RecordingShell FromEnvironment() => From(Environment.GetEnvironmentVariable);

    internal static RecordingShell From(Func<string, string?> variable)
    {
        var fromFunction = int.TryParse(variable(PidVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var given) && given > 0;
        var pid = fromFunction ? given : ShellProcess.ParentOfCurrent();
        var hooked = fromFunction
            || (int.TryParse(variable(HooksVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var hookedPid) && hookedPid == pid);
        var shell = variable(ShellVariable) is { Length: > 0 } named && Recorder.Shells.Contains(named)
            ? named
            : ShellProcess.ProgramName(pid) is { } program && Recorder.Shells.Contains(program) ? program : null;
        return new RecordingShell(pid, shell, hooked);
    }
}
