using System.Diagnostics;

namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>A fact that needs to mount a small tmpfs (root, and a kernel that lets this container mount); skipped, with
/// the reason, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = $"Cannot mount a size-limited tmpfs here ({reason}); the disk-full behaviour is covered by the injected-fault specs.";
        }
    }

    private static string? Probe()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root")
        {
            return "not running as root";
        }

        var directory = Directory.CreateTempSubdirectory("tether-journal-tmpfs-probe-").FullName;
        try
        {
            using var mount = Tmpfs.TryMount(directory, "64k", out var error);
            return mount is null ? error : null;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>A mounted tmpfs; unmounted on dispose.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _directory;

    private Tmpfs(string directory) => _directory = directory;

    public static Tmpfs? TryMount(string directory, string size, out string? error)
    {
        var (code, output) = Run("mount", "-t", "tmpfs", "-o", $"size={size},mode=0700", "tmpfs", directory);
        error = code == 0 ? null : $"mount exited with {code}: {output.Trim()}";
        return code == 0 ? new Tmpfs(directory) : null;
    }

    public void Dispose() => Run("umount", "-l", _directory);

    private static (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
