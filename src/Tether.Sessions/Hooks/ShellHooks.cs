using System.Text;

namespace Tether.Sessions;

/// <summary>
/// The recording hooks that <c>tether rec init bash|zsh|fish</c> prints, to be loaded by the shell at start-up:
/// <c>eval "$(tether rec init bash)"</c> in <c>~/.bashrc</c> (last, after anything else that sets
/// <c>PROMPT_COMMAND</c>), <c>eval "$(tether rec init zsh)"</c> in <c>~/.zshrc</c>,
/// <c>tether rec init fish | source</c> in <c>~/.config/fish/config.fish</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>What the hooks do.</b> Before each command line runs they test (a builtin <c>-e</c>: one <c>stat</c>, no
/// process) whether this shell records — whether <c>STATE/PID-STARTTIME.active</c> exists (<see cref="Recorder"/>);
/// only then they append a <c>B</c> line (start time, working directory, the command line as typed) to the shell's
/// spool, and after it an <c>E</c> line (end time, exit code); the spool format is on <see cref="Recorder"/>. They never start a process in bash and zsh, recording or not; fish has no builtin
/// clock, so while it records, fish runs <c>date</c> once per command (about a millisecond). The state directory is
/// written into the script when it is printed, and the shell's identity (pid and start time) is read from
/// <c>/proc</c> once, when the script is loaded.
/// </para>
/// <para>
/// <b>The <c>tether</c> function.</b> The script defines a <c>tether</c> shell function that runs the tool with
/// <c>TETHER_REC_SHELL_PID</c>, <c>TETHER_REC_SHELL</c> and <c>TETHER_REC_DIR</c> set for <c>tether rec …</c>
/// (<see cref="RecordingShell"/>), so the tool knows which shell it acts on however it is started; for
/// <c>tether rec stop</c> it also marks the stop command itself as not part of the recording. Every other
/// <c>tether rec …</c> line — however it is run: through the function, <c>command tether rec</c>, a path to the
/// program — is written to the spool like any line and left out when the spool is read (<see cref="Recorder"/>
/// reads it with the shell parser, the same for all three shells), so no session holds a recording's own controls.
/// </para>
/// <para>
/// <b>Loaded or not.</b> A shell that loaded the hooks exports <see cref="RecordingShell.HooksVariable"/> set to its
/// own pid, so that <c>tether rec start</c> can refuse to "record" a shell that would save nothing; a child shell
/// inherits the variable but has another pid.
/// </para>
/// <para>
/// <b>The prompt.</b> While the shell records, <see cref="PromptMarker"/> is put in front of the prompt (bash
/// <c>PS1</c>, zsh <c>PROMPT</c>, fish <c>fish_prompt</c>); <c>TETHER_REC_PROMPT=0</c> turns that off.
/// </para>
/// <para>
/// <b>bash.</b> Needs bash 5.0 (<c>$EPOCHREALTIME</c>) and <c>promptvars</c> (on by default). The command start is
/// marked by <c>PS0</c>, which bash expands exactly once per command line it is about to run (never for an empty line
/// or for the commands of <c>PROMPT_COMMAND</c>); the expansion arms a flag and takes the time with an arithmetic
/// side effect and prints nothing. The first <c>DEBUG</c> trap after that writes the <c>B</c> line (an existing
/// <c>DEBUG</c> trap is kept and runs after ours). The command line is the newest history entry, read with the
/// <c>history</c> builtin into the scratch file <c>PID-STARTTIME.line</c>; a line that bash keeps out of its history
/// (a leading space under <c>HISTCONTROL=ignorespace</c>, a <c>HISTIGNORE</c> match) is not recorded either, while a
/// repeated line dropped by <c>ignoredups</c> is. With history off (<c>set +o history</c>) the first simple command
/// (<c>$BASH_COMMAND</c>) stands for the line. The end is recorded by a function put first in <c>PROMPT_COMMAND</c>,
/// so it sees the command's <c>$?</c> (and hands it on unchanged). A tool that later replaces <c>PS0</c> is undone at
/// the next prompt; one that replaces <c>PROMPT_COMMAND</c> turns recording off.
/// </para>
/// <para>
/// <b>zsh.</b> <c>preexec</c> and <c>precmd</c> hooks (<c>add-zsh-hook</c>; the <c>precmd</c> one first), times from
/// <c>$EPOCHREALTIME</c> (zsh/datetime). The command line is <c>preexec</c>'s first argument, as typed; with
/// <c>HIST_IGNORE_SPACE</c> a line that starts with a space is not recorded.
/// </para>
/// <para>
/// <b>fish.</b> <c>fish_preexec</c> and <c>fish_postexec</c> events; the end is the start plus
/// <c>$CMD_DURATION</c> (milliseconds). A line that starts with a space (which fish keeps out of its history) is not
/// recorded.
/// </para>
/// </remarks>
public static partial class ShellHooks
{
    /// <summary>What the prompt starts with while the shell records.</summary>
    public const string PromptMarker = "[rec] ";

    /// <summary>Set to <c>0</c> (in the shell, at any time) to keep <see cref="PromptMarker"/> out of the prompt.</summary>
    public const string PromptVariable = "TETHER_REC_PROMPT";

    private const string StateDirectoryPlaceholder = "@TETHER_REC_DIR@";

    /// <summary>The hook script for <paramref name="shell"/>, recording into <paramref name="stateDirectory"/> (normally
    /// <see cref="RecordingDirectory.ResolvePath"/>).</summary>
    /// <exception cref="ArgumentException">The directory is not an absolute path, or holds a control character.</exception>
    public static string Script(ShellKind shell, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(stateDirectory);
        if (!Path.IsPathRooted(stateDirectory) || stateDirectory.Any(char.IsControl))
        {
            throw new ArgumentException($"The recording directory must be an absolute path without control characters; '{stateDirectory}' is not.", nameof(stateDirectory));
        }

        return shell switch
        {
            ShellKind.Bash => BashScript.Replace(StateDirectoryPlaceholder, PosixQuoted(stateDirectory), StringComparison.Ordinal),
            ShellKind.Zsh => ZshScript.Replace(StateDirectoryPlaceholder, PosixQuoted(stateDirectory), StringComparison.Ordinal),
            ShellKind.Fish => FishScript.Replace(StateDirectoryPlaceholder, FishQuoted(stateDirectory), StringComparison.Ordinal),
            _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "Not a shell with recording hooks."),
        };
    }

    /// <summary>Reads a shell's name as <c>tether rec init</c> takes it: <c>bash</c>, <c>zsh</c>, <c>fish</c> (lower case).</summary>
    public static bool TryParse(string name, out ShellKind shell)
    {
        (var known, shell) = name switch
        {
            "bash" => (true, ShellKind.Bash),
            "zsh" => (true, ShellKind.Zsh),
            "fish" => (true, ShellKind.Fish),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>The name <see cref="TryParse"/> reads, and the one sessions record.</summary>
    public static string NameOf(ShellKind shell) => shell switch
    {
        ShellKind.Bash => "bash",
        ShellKind.Zsh => "zsh",
        ShellKind.Fish => "fish",
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "Not a shell with recording hooks."),
    };

    /// <summary>A single-quoted word for bash and zsh: <c>'</c> becomes <c>'\''</c>.</summary>
    private static string PosixQuoted(string text) => "'" + text.Replace("'", @"'\''", StringComparison.Ordinal) + "'";

    /// <summary>A single-quoted word for fish, where <c>\\</c> and <c>\'</c> are the escapes inside single quotes.</summary>
    private static string FishQuoted(string text)
    {
        var quoted = new StringBuilder("'");
        foreach (var c in text)
        {
            if (c is '\\' or '\'')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('\'').ToString();
    }
}
