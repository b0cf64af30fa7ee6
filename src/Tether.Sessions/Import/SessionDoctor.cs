using System.Globalization;

namespace Tether.Sessions;

/// <summary>How a <see cref="DoctorCheck"/> came out.</summary>
public enum DoctorStatus
{
    /// <summary>Fine.</summary>
    Ok,

    /// <summary>Works, but something should be looked at (hooks not installed, loose permissions, stale recordings).</summary>
    Warn,

    /// <summary>Broken: recording or storing sessions will not work, or a session file cannot be read.</summary>
    Fail,
}

/// <summary>One check of <see cref="SessionDoctor.Run"/>.</summary>
/// <param name="Name">A short stable name: <c>storage</c>, <c>storage-writable</c>, <c>storage-permissions</c>,
/// <c>session-permissions</c>, <c>session-files</c>, <c>state-dir</c>, <c>hooks</c>, <c>stale-recordings</c>.</param>
/// <param name="Status">The outcome.</param>
/// <param name="Detail">What was found, in words (and what to do about it).</param>
public sealed record DoctorCheck(string Name, DoctorStatus Status, string Detail);

/// <summary>Where <see cref="SessionDoctor.Run"/> looks; every member defaults to what the tool itself would use.</summary>
public sealed record DoctorOptions
{
    /// <summary>The session store directory; null for the one <see cref="SessionStore.Open"/> would use.</summary>
    public string? SessionsDirectory { get; init; }

    /// <summary>The recording state directory; null for <see cref="RecordingDirectory.ResolvePath"/>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>The home directory whose shell start-up files are searched for the hooks; null for <c>$HOME</c>.</summary>
    public string? HomeDirectory { get; init; }

    /// <summary>Reads an environment variable; null for the process's environment.</summary>
    public Func<string, string?>? Environment { get; init; }
}

/// <summary>
/// Checks what <c>tether rec</c> needs, without changing anything: the store directory exists (or can be created), is
/// writable and owner-only (0700); the session files are owner-only (0600) and readable; the recording state directory
/// is usable; the hooks are installed; no recording is left stale by a dead shell.
/// </summary>
public static class SessionDoctor
{
    /// <summary>The variable a shell with the hooks loaded is recognised by, besides the start-up files.</summary>
    public const string HooksVariable = RecordingShell.HooksVariable;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                              | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Runs every check, in a fixed order.</summary>
    public static IReadOnlyList<DoctorCheck> Run(DoctorOptions? options = null)
    {
        options ??= new DoctorOptions();
        var variable = options.Environment ?? System.Environment.GetEnvironmentVariable;
        var checks = new List<DoctorCheck>();

        string? storage = null;
        try
        {
            storage = Path.GetFullPath(options.SessionsDirectory ?? SessionStore.ResolveDirectory(variable));
        }
        catch (InvalidOperationException e)
        {
            checks.Add(new("storage", DoctorStatus.Fail, e.Message));
        }

        if (storage is not null)
        {
            CheckStorage(storage, checks);
        }

        string? state = null;
        try
        {
            state = Path.GetFullPath(options.StateDirectory ?? RecordingDirectory.Resolve(variable, RecordingDirectory.RealUserId()));
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            checks.Add(new("state-dir", DoctorStatus.Fail, e.Message));
        }

        if (state is not null)
        {
            checks.Add(CheckDirectory("state-dir", state, "recordings in progress"));
        }

        checks.Add(CheckHooks(options.HomeDirectory ?? variable("HOME"), variable));
        if (state is not null)
        {
            checks.Add(CheckStale(state));
        }

        return checks;
    }

    private static void CheckStorage(string directory, List<DoctorCheck> checks)
    {
        var exists = CheckDirectory("storage", directory, "sessions");
        checks.Add(exists);
        if (exists.Status == DoctorStatus.Fail || !Directory.Exists(directory))
        {
            return;
        }

        checks.Add(Writable(directory)
            ? new("storage-writable", DoctorStatus.Ok, $"'{directory}' is writable")
            : new("storage-writable", DoctorStatus.Fail, $"'{directory}' is not writable: sessions cannot be saved; fix its owner or permissions"));

        var mode = Mode(directory);
        checks.Add((mode & GroupOrOther) == 0
            ? new("storage-permissions", DoctorStatus.Ok, $"'{directory}' is owner-only ({Octal(mode)})")
            : new("storage-permissions", DoctorStatus.Warn, $"'{directory}' is {Octal(mode)}, not 0700: others can see your sessions; run 'chmod 700 {directory}'"));

        var files = Directory.EnumerateFiles(directory, "*" + SessionFormat.FileExtension)
            .Where(path => !Path.GetFileName(path).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var loose = files.Where(path => (Mode(path) & GroupOrOther) != 0).Select(Path.GetFileName).ToList();
        checks.Add(loose.Count == 0
            ? new("session-permissions", DoctorStatus.Ok, string.Create(CultureInfo.InvariantCulture, $"{files.Count} session files, all owner-only (0600)"))
            : new("session-permissions", DoctorStatus.Warn, string.Create(CultureInfo.InvariantCulture, $"{loose.Count} session files are not 0600: {string.Join(", ", loose)}; run 'chmod 600' on them")));

        var summaries = SessionStore.Open(directory).List();
        var unreadable = summaries.Where(s => !s.IsReadable).Select(s => $"{Path.GetFileName(s.Path)} ({s.Unreadable})").ToList();
        var damaged = summaries.Where(s => s.IsReadable && s.Problems.Any(p => p.IsDamage)).Select(s => Path.GetFileName(s.Path)).ToList();
        checks.Add(unreadable.Count > 0
            ? new("session-files", DoctorStatus.Fail, string.Create(CultureInfo.InvariantCulture, $"{unreadable.Count} session files cannot be read: {string.Join("; ", unreadable)}"))
            : damaged.Count > 0
                ? new("session-files", DoctorStatus.Warn, string.Create(CultureInfo.InvariantCulture, $"{damaged.Count} session files have corrupt lines (skipped when loaded): {string.Join(", ", damaged)}"))
                : new("session-files", DoctorStatus.Ok, string.Create(CultureInfo.InvariantCulture, $"{summaries.Count} session files read cleanly")));
    }

    /// <summary>A directory that exists (and is one), or that could be created (its nearest existing parent is writable).</summary>
    private static DoctorCheck CheckDirectory(string name, string directory, string what)
    {
        if (Directory.Exists(directory))
        {
            if (name == "state-dir")
            {
                var mode = Mode(directory);
                if (!Writable(directory))
                {
                    return new(name, DoctorStatus.Fail, $"'{directory}' ({what}) is not writable: recordings cannot start");
                }

                return (mode & GroupOrOther) == 0
                    ? new(name, DoctorStatus.Ok, $"'{directory}' ({what}) is writable and owner-only")
                    : new(name, DoctorStatus.Warn, $"'{directory}' ({what}) is {Octal(mode)}, not 0700; run 'chmod 700 {directory}'");
            }

            return new(name, DoctorStatus.Ok, $"'{directory}' ({what}) exists");
        }

        if (File.Exists(directory))
        {
            return new(name, DoctorStatus.Fail, $"'{directory}' ({what}) is a file, not a directory");
        }

        var parent = Path.GetDirectoryName(directory);
        while (parent is not null && !Directory.Exists(parent))
        {
            if (File.Exists(parent))
            {
                return new(name, DoctorStatus.Fail, $"'{directory}' ({what}) cannot be created: '{parent}' is a file");
            }

            parent = Path.GetDirectoryName(parent);
        }

        return parent is not null && Writable(parent)
            ? new(name, DoctorStatus.Ok, $"'{directory}' ({what}) does not exist yet; it is created (0700) on first use")
            : new(name, DoctorStatus.Fail, $"'{directory}' ({what}) does not exist and cannot be created: '{parent}' is not writable");
    }

    private static DoctorCheck CheckHooks(string? home, Func<string, string?> variable)
    {
        var found = new List<string>();
        if (home is { Length: > 0 })
        {
            foreach (var file in (ReadOnlySpan<string>)[".bashrc", ".zshrc", Path.Combine(".config", "fish", "config.fish")])
            {
                var path = Path.Combine(home, file);
                try
                {
                    if (File.Exists(path) && File.ReadLines(path).Any(line => !line.TrimStart().StartsWith('#') && line.Contains("tether rec init", StringComparison.Ordinal)))
                    {
                        found.Add("~/" + file);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // An unreadable start-up file is not ours to report; the check just does not count it.
                }
            }
        }

        if (variable(HooksVariable) is { Length: > 0 } loaded)
        {
            found.Add($"{HooksVariable}={loaded} in this shell");
        }

        return found.Count > 0
            ? new("hooks", DoctorStatus.Ok, "installed: " + string.Join(", ", found))
            : new("hooks", DoctorStatus.Warn, "not installed: add 'eval \"$(tether rec init bash)\"' to ~/.bashrc (or zsh to ~/.zshrc; for fish 'tether rec init fish | source' to ~/.config/fish/config.fish)");
    }

    private static DoctorCheck CheckStale(string state)
    {
        if (!Directory.Exists(state))
        {
            return new("stale-recordings", DoctorStatus.Ok, "no recordings");
        }

        var live = 0;
        var stale = new List<string>();
        foreach (var path in Directory.EnumerateFiles(state))
        {
            var file = Path.GetFileName(path);
            var stopping = file.EndsWith(RecordingFiles.StoppingExtension, StringComparison.Ordinal);
            if ((stopping || file.EndsWith(RecordingFiles.ActiveExtension, StringComparison.Ordinal))
                && ShellProcess.TryParseKey(Path.GetFileNameWithoutExtension(file), out var shell))
            {
                if (stopping || !shell.IsAlive)
                {
                    stale.Add(shell.ToString());
                }
                else
                {
                    live++;
                }
            }
        }

        return stale.Count == 0
            ? new("stale-recordings", DoctorStatus.Ok, string.Create(CultureInfo.InvariantCulture, $"none ({live} recording now)"))
            : new("stale-recordings", DoctorStatus.Warn, string.Create(CultureInfo.InvariantCulture, $"{stale.Count} recordings of shells that are gone ({string.Join(", ", stale)}); the next 'tether rec start' saves them as recovered-… sessions"));
    }

    /// <summary>Whether a file can be created in <paramref name="directory"/>: tried with a hidden probe file, removed at once.</summary>
    private static bool Writable(string directory)
    {
        var probe = Path.Combine(directory, ".doctor-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static UnixFileMode Mode(string path) => OperatingSystem.IsWindows() ? UnixFileMode.None : File.GetUnixFileMode(path);

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);
}
