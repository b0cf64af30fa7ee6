using System.Globalization;

namespace Tether.Internal;

/// <summary>One run's own cgroup v2 directory: every process of the run's tree stays in it, whatever it does.</summary>
internal sealed class CgroupLeaf(string path)
{
    public string Path { get; } = path;

    /// <summary>The file a process writes its pid to in order to join (used by the exec shim).</summary>
    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    /// <summary>SIGKILLs every process in the cgroup, atomically with respect to forks.</summary>
    public void Kill() => Write("cgroup.kill", "1");

    public void Freeze(bool frozen) => Write("cgroup.freeze", frozen ? "1" : "0");

    public IReadOnlyList<int> Processes()
    {
        var pids = new List<int>();
        try
        {
            foreach (var line in File.ReadLines(ProcsFile))
            {
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    pids.Add(pid);
                }
            }
        }
        catch (IOException)
        {
            // Removed already: no processes.
        }

        return pids;
    }

    public bool IsPopulated()
    {
        try
        {
            foreach (var line in File.ReadLines(System.IO.Path.Combine(Path, "cgroup.events")))
            {
                if (line.StartsWith("populated ", StringComparison.Ordinal))
                {
                    return line.EndsWith('1');
                }
            }
        }
        catch (IOException)
        {
            return false;
        }

        return false;
    }

    /// <summary>Total CPU time of every process that ever ran in the cgroup, from <c>cpu.stat</c>.</summary>
    public TimeSpan? CpuUsage()
    {
        try
        {
            foreach (var line in File.ReadLines(System.IO.Path.Combine(Path, "cpu.stat")))
            {
                if (line.StartsWith("usage_usec ", StringComparison.Ordinal) &&
                    long.TryParse(line.AsSpan("usage_usec ".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var usec))
                {
                    return TimeSpan.FromMicroseconds(usec);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>Removes the (empty) directory; returns false while processes remain.</summary>
    public bool TryRemove()
    {
        try
        {
            Directory.Delete(Path);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void Write(string file, string value)
    {
        try
        {
            File.WriteAllText(System.IO.Path.Combine(Path, file), value);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(Path))
            {
                throw new ProcessIOException($"Could not write {file} of cgroup {Path}: {ex.Message}", ex);
            }
        }
    }
}
