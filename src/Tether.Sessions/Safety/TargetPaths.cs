namespace Tether.Sessions;

/// <summary>
/// What a path given to a command stands for, as far as danger goes, read from the word as written (nothing is
/// expanded or resolved; paths are compared in lower case).
/// </summary>
internal static class TargetPaths
{
    // Top-level directories whose loss breaks the system (Linux and macOS).
    private static readonly HashSet<string> SystemDirectories =
    [
        "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/root", "/sbin",
        "/srv", "/sys", "/usr", "/var", "/applications", "/library", "/system", "/users", "/private",
    ];

    private static readonly string[] SystemFilePrefixes =
        ["/etc/", "/usr/", "/boot/", "/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/"];

    private static readonly HashSet<string> HarmlessDevices =
        ["null", "zero", "full", "random", "urandom", "stdin", "stdout", "stderr", "tty", "console", "ptmx", "kmsg"];

    private static readonly string[] HarmlessDevicePrefixes = ["tty", "pts/", "fd/", "tcp/", "udp/", "shm/", "mqueue/"];

    /// <summary>The file system root, anything directly under it as a glob (<c>/*</c>), or a top-level system
    /// directory or its contents (<c>/etc</c>, <c>/usr/</c>, <c>/var/*</c>).</summary>
    public static bool IsSystemRoot(string path)
    {
        var p = Normalize(path);
        if (!p.StartsWith('/'))
        {
            return false;
        }

        p = TrimTrailing(p);
        return p.Length == 0 || SystemDirectories.Contains(p);
    }

    /// <summary>A home directory (<c>~</c>, <c>~user</c>, <c>$HOME</c>, <c>${HOME}</c>, or all of its contents), or
    /// everything here or above (<c>*</c>, <c>.</c>, <c>..</c>, <c>.*</c>, <c>./*</c>).</summary>
    public static bool IsHomeOrHere(string path)
    {
        var p = Normalize(path);
        if (p is "*" or ".*")
        {
            return true;
        }

        p = TrimTrailing(p);
        return p is "." or ".." || (p.StartsWith('~') && !p.Contains('/', StringComparison.Ordinal));
    }

    /// <summary>A device that holds data — a disk, partition or memory (<c>/dev/sda</c>, <c>/dev/nvme0n1p2</c>,
    /// <c>/dev/mapper/root</c>, <c>/dev/mem</c>) — rather than a stream such as <c>/dev/null</c>, <c>/dev/stdout</c>,
    /// a terminal or bash's <c>/dev/tcp/…</c>.</summary>
    public static bool IsDataDevice(string path)
    {
        var p = Normalize(path);
        if (!p.StartsWith("/dev/", StringComparison.Ordinal) || p.Length == "/dev/".Length)
        {
            return false;
        }

        var device = p["/dev/".Length..];
        return !HarmlessDevices.Contains(device)
            && !HarmlessDevicePrefixes.Any(prefix => device.StartsWith(prefix, StringComparison.Ordinal));
    }

    /// <summary>A file under <c>/etc</c>, <c>/usr</c>, <c>/boot</c> or the system's binaries and libraries.</summary>
    public static bool IsSystemFile(string path)
    {
        var p = Normalize(path);
        return SystemFilePrefixes.Any(prefix => p.StartsWith(prefix, StringComparison.Ordinal) && p.Length > prefix.Length);
    }

    // Lower case, `$HOME`/`${HOME}` as `~`, absolute paths resolved.
    private static string Normalize(string path)
    {
        var p = path.Trim().ToLowerInvariant();
        if (p.StartsWith("${home}", StringComparison.Ordinal))
        {
            p = "~" + p["${home}".Length..];
        }
        else if (p.StartsWith("$home", StringComparison.Ordinal)
                 && (p.Length == "$home".Length || p["$home".Length] == '/'))
        {
            p = "~" + p["$home".Length..];
        }

        return p.StartsWith('/') ? Resolve(p) : p;
    }

    // `/tmp/../etc/./x` → `/etc/x`, lexically (symbolic links are not followed); a trailing `/*` stays.
    private static string Resolve(string absolute)
    {
        var segments = new List<string>();
        foreach (var segment in absolute.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(segment);
        }

        return "/" + string.Join('/', segments);
    }

    // `/usr/*` → `/usr`, `/etc/.` → `/etc`, `~/` → `~`, `/` → ``.
    private static string TrimTrailing(string p)
    {
        while (true)
        {
            if (p.EndsWith("/*", StringComparison.Ordinal) || p.EndsWith("/.", StringComparison.Ordinal))
            {
                p = p[..^2];
            }
            else if (p.EndsWith('/'))
            {
                p = p[..^1];
            }
            else
            {
                return p;
            }
        }
    }
}
