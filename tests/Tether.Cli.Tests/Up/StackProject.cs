using System.Diagnostics;
using System.Globalization;

namespace Tether.Cli.Tests.Up;

/// <summary>
/// A project directory for <c>tether up</c> specs: a tether.yaml, and a copy of sleep named <c>sleeper</c> inside the
/// directory, so that every process of the stack — a setsid child or a double-forked grandchild included — is found by
/// its program's path, whatever else runs on the machine. Disposal kills whatever is left and removes the directory.
/// </summary>
internal sealed class StackProject : IDisposable
{
    public StackProject(string yaml)
    {
        // Short: the control socket's path must fit in a Unix socket address (108 bytes).
        Directory = Path.Combine(Path.GetTempPath(), "tup-" + Guid.NewGuid().ToString("N")[..10]);
        System.IO.Directory.CreateDirectory(Directory);
        File.Copy("/bin/sleep", Sleeper); // keeps its mode: executable
        Write(yaml);
    }

    public string Directory { get; }

    public string YamlPath => Path.Combine(Directory, "tether.yaml");

    public string Sleeper => Path.Combine(Directory, "sleeper");

    public string Journal => Path.Combine(Directory, ".tether", "journal");

    /// <summary>Writes tether.yaml; <c>$DIR</c> stands for the project directory.</summary>
    public void Write(string yaml) => File.WriteAllText(YamlPath, yaml.Replace("$DIR", Directory, StringComparison.Ordinal));

    /// <summary>The live (not zombie) processes running this project's sleeper.</summary>
    public List<int> Sleepers()
    {
        var found = new List<int>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(entry, "cmdline"));
                if (cmdline.StartsWith(Sleeper + "\0", StringComparison.Ordinal) && !IsZombie(pid))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone while we looked.
            }
        }

        return found;
    }

    /// <summary>Zombie children of <paramref name="parent"/> (exited, not yet reaped) running this project's sleeper or anything.</summary>
    public static List<int> ZombieChildren(int parent)
    {
        var found = new List<int>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.Parent == parent && stat.State == 'Z')
            {
                found.Add(pid);
            }
        }

        return found;
    }

    /// <summary>The children of <paramref name="parent"/>.</summary>
    public static List<int> Children(int parent)
    {
        var found = new List<int>();
        foreach (var entry in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.Parent == parent)
            {
                found.Add(pid);
            }
        }

        return found;
    }

    public void Dispose()
    {
        foreach (var pid in Sleepers())
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already.
            }
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a spec.
        }
    }

    private static bool IsZombie(int pid) => Stat(pid) is not { State: not ('Z' or 'X') };

    private static (char State, int Parent)? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
