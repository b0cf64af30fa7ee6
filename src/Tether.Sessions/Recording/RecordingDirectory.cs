using System.Globalization;

namespace Tether.Sessions;

/// <summary>
/// Where recordings in progress keep their state: <c>$TETHER_REC_DIR</c> when set, else
/// <c>$XDG_RUNTIME_DIR/tether/rec</c> (when that variable holds an absolute path), else
/// <c>$TMPDIR/tether-rec-$UID</c> (<c>/tmp</c> when <c>TMPDIR</c> is unset or relative). The directory is created
/// owner-only (0700) on first use.
/// </summary>
/// <remarks>
/// <para>
/// A recording is two files named after the recording shell, <c>PID-STARTTIME</c> (the shell's pid and its start time,
/// field 22 of <c>/proc/PID/stat</c>; the start time makes a recycled pid a different name):
/// <c>PID-STARTTIME.active</c> (JSON: session name and id, the shell and its identity, when it started) exists exactly
/// while the shell records, and <c>PID-STARTTIME.spool</c> is appended by the shell's hooks, one line per command
/// event (see <see cref="Recorder"/> for its format). The hooks also keep a scratch file, <c>PID-STARTTIME.line</c>
/// (bash: the history entry being read). Each shell has its own files, so shells never share a slot.
/// </para>
/// <para>
/// <c>tether rec init</c> writes the directory into the hook script it prints, and the <c>tether</c> shell function
/// passes it back in <c>TETHER_REC_DIR</c>, so the shell and the tool agree even if the environment changes later.
/// </para>
/// </remarks>
public static class RecordingDirectory
{
    /// <summary>The environment variable that overrides the directory.</summary>
    public const string DirectoryVariable = "TETHER_REC_DIR";

    /// <summary>The directory for the current environment (an absolute path; it may not exist yet).</summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static string ResolvePath()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Shell recording is implemented and tested on Linux only: it identifies shells through /proc.");
        }

        return Resolve(Environment.GetEnvironmentVariable, RealUserId());
    }

    /// <summary>The rule of <see cref="ResolvePath"/>, given the environment (an empty value counts as unset).</summary>
    internal static string Resolve(Func<string, string?> variable, long userId)
    {
        if (variable(DirectoryVariable) is { Length: > 0 } explicitDirectory)
        {
            return Path.GetFullPath(explicitDirectory);
        }

        if (variable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && Path.IsPathRooted(runtime))
        {
            return Path.Combine(runtime, "tether", "rec");
        }

        var temporary = variable("TMPDIR") is { Length: > 0 } tmp && Path.IsPathRooted(tmp) ? tmp : "/tmp";
        return Path.Combine(temporary, string.Create(CultureInfo.InvariantCulture, $"tether-rec-{userId}"));
    }

    /// <summary>The real user id (what the shells call <c>$UID</c>), from <c>/proc/self/status</c>.</summary>
    internal static long RealUserId()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var fields = line[4..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
                {
                    return uid;
                }
            }
        }

        throw new InvalidOperationException("/proc/self/status has no readable Uid line; cannot tell the user for the recording directory. Set TETHER_REC_DIR.");
    }
}
