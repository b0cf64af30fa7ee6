namespace Tether.Sessions.Tests;

/// <summary>
/// A fact that needs a real shell (and, for fish, <c>script</c> to give it a terminal; with <c>strace</c>, strace
/// that may trace here); skipped, with the reason, when the machine does not have it. The project cannot assume zsh
/// or fish: install them from the package registry to run these specs.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ShellFactAttribute : FactAttribute
{
    public ShellFactAttribute(ShellKind shell, bool strace = false)
    {
        var name = ShellHooks.NameOf(shell);
        if (ProgramPath.Find(name) is null)
        {
            Skip = $"{name} is not installed (not on PATH); these specs drive a real {name}.";
        }
        else if (shell == ShellKind.Fish && ProgramPath.Find("script") is null)
        {
            Skip = "script (util-linux) is not on PATH; fish runs its hooks only at a terminal, which script provides.";
        }
        else if (strace && StraceProbe.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static readonly Lazy<string?> StraceProbe = new(ProbeStrace);

    private static string? ProbeStrace()
    {
        if (ProgramPath.Find("strace") is not { } strace)
        {
            return "strace is not installed; it counts the processes the hooks start.";
        }

        try
        {
            using var probe = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(strace, ["-f", "-qq", "-o", "/dev/null", "/bin/true"])
            {
                RedirectStandardError = true,
            })!;
            var error = probe.StandardError.ReadToEnd();
            probe.WaitForExit();
            return probe.ExitCode == 0 ? null : $"strace cannot trace here ({error.Trim()}).";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"strace cannot be started ({e.Message}).";
        }
    }
}

/// <summary>Where a program is on PATH.</summary>
internal static class ProgramPath
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
}
