using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tether.Sessions;

/// <summary>
/// Turns a shell history file, a shell script or a session file into a <see cref="Session"/>: what
/// <c>tether rec import FILE</c> does.
/// </summary>
/// <remarks>
/// <para>
/// <b>Formats</b> (detected by <see cref="Detect(string)"/> unless given): a session file (its first line is a
/// version-2 session header) is taken as it is; zsh history, extended (<c>: 1700000000:12;command</c>, with start
/// times and durations) or plain, where a line ending in a backslash continues on the next line; bash history, where
/// <c>#1700000000</c> lines give the time of the command after them (and delimit multi-line commands); fish history
/// (<c>- cmd: …</c> with <c>when: …</c>, <c>\n</c> and <c>\\</c> unescaped); anything else is a shell script: one
/// command per logical line, skipping the <c>#!</c> line, blank lines and comment lines, with backslash continuations
/// and here-documents kept inside their command.
/// </para>
/// <para>
/// <b>What history files do not say</b>: the working directory of a command becomes
/// <see cref="ImportOptions.WorkingDirectory"/> (by default the directory the import runs in), and the exit code is
/// unknown (null). A command without a time gets the time of the timed command before it, else the file's
/// modification time; only zsh's extended history has durations.
/// </para>
/// </remarks>
public static partial class SessionImporter
{
    /// <summary>How many lines of a file detection looks at.</summary>
    private const int DetectionLines = 50;

    /// <summary>
    /// Tells what kind of file <paramref name="path"/> is, from its first lines: a session header, a <c>#!</c> line,
    /// zsh's <c>: 1700000000:0;</c>, fish's <c>- cmd:</c>, bash's <c>#1700000000</c> lines; failing those, a file name
    /// of a history file (<c>.bash_history</c>, <c>.zsh_history</c>, <c>.histfile</c>, <c>fish_history</c>); otherwise
    /// a script.
    /// </summary>
    /// <exception cref="ImportException">It is a directory, does not exist, may not be read, or is not text.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ImportFormat Detect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Detect(Path.GetFileName(path), Lines(Decode(ImportInput.Read(path, Unmetafy))));
    }

    /// <summary>Reads <paramref name="path"/> as a session (not saved anywhere). A non-session file gets a new id.</summary>
    /// <exception cref="ImportException">The file holds no command, is a directory, does not exist, may not be read, or
    /// is not text (more than one byte in fifty NUL or not UTF-8).</exception>
    /// <exception cref="SessionFormatException">It was taken for a session file and has no readable header.</exception>
    /// <exception cref="SessionNameException">The name is not acceptable.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Session Import(string path, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new ImportOptions();
        var full = Path.GetFullPath(path);
        var bytes = ImportInput.Read(path, Unmetafy);
        var text = Decode(bytes);
        var lines = Lines(text);
        var format = options.Format ?? Detect(Path.GetFileName(full), lines);
        if (options.Name is { } name)
        {
            SessionNames.ValidateName(name, nameof(options));
        }

        if (format == ImportFormat.Session)
        {
            using var stream = new MemoryStream(bytes, writable: false);
            var session = SessionFormat.Parse(stream, full).Session;
            return options.Name is { } given ? session with { Header = session.Header with { Name = given } } : session;
        }

        if (format == ImportFormat.ZshHistory)
        {
            lines = Lines(Decode(Unmetafy(bytes)));
        }

        var (entries, shell) = format switch
        {
            ImportFormat.BashHistory => (ParseBash(lines), "bash"),
            ImportFormat.ZshHistory => (ParseZsh(lines), "zsh"),
            ImportFormat.FishHistory => (ParseFish(lines), "fish"),
            _ => ParseScript(lines),
        };

        if (entries.Count == 0)
        {
            throw new ImportException(path, $"it holds no command (read as {ImportFormats.NameOf(format)}; --format says otherwise)");
        }

        return Build(entries, shell, options, full);
    }

    /// <summary>
    /// Imports <paramref name="path"/> into <paramref name="store"/> and returns the session saved. A session file whose
    /// id the store already has is saved with a new id.
    /// </summary>
    /// <exception cref="SessionExistsException">The store has a session with that name; nothing is saved.</exception>
    /// <exception cref="ImportException">The file holds no command.</exception>
    /// <exception cref="SessionFormatException">It was taken for a session file and has no readable header.</exception>
    /// <exception cref="IOException">The file cannot be read, or the session cannot be written.</exception>
    public static Session ImportInto(SessionStore store, string path, ImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var session = Import(path, options);
        if (store.TryFind(session.Id, out var existing)
            && string.Equals(Path.GetFileNameWithoutExtension(existing), session.Id, StringComparison.Ordinal))
        {
            session = session with { Header = session.Header with { Id = Guid.NewGuid().ToString("D") } };
        }

        if (store.TryFind(session.Name, out var taken))
        {
            throw new SessionExistsException(session.Name, isId: false, taken);
        }

        store.Save(session);
        return session;
    }

    internal static ImportFormat Detect(string fileName, IReadOnlyList<string> lines)
    {
        var first = lines.Take(DetectionLines).FirstOrDefault(line => line.Trim().Length > 0);
        if (first is not null)
        {
            if (first.TrimStart().StartsWith('{') && SessionFormat.TryParseHeader(Encoding.UTF8.GetBytes(first.Trim())) is not null)
            {
                return ImportFormat.Session;
            }

            if (first.StartsWith("#!", StringComparison.Ordinal))
            {
                return ImportFormat.Script;
            }

            if (ZshExtended().IsMatch(first))
            {
                return ImportFormat.ZshHistory;
            }

            if (first.StartsWith("- cmd:", StringComparison.Ordinal))
            {
                return ImportFormat.FishHistory;
            }

            if (lines.Take(DetectionLines).Any(line => BashTimestamp().IsMatch(line)))
            {
                return ImportFormat.BashHistory;
            }
        }

        var name = fileName.ToLowerInvariant();
        return name switch
        {
            _ when name.Contains("zsh_history", StringComparison.Ordinal) || name is ".histfile" or ".zhistory" => ImportFormat.ZshHistory,
            _ when name.Contains("fish_history", StringComparison.Ordinal) => ImportFormat.FishHistory,
            _ when name.Contains("bash_history", StringComparison.Ordinal) || name is ".history" or "history" => ImportFormat.BashHistory,
            _ => ImportFormat.Script,
        };
    }

    private static Session Build(List<Entry> entries, string? shell, ImportOptions options, string path)
    {
        var cwd = Path.GetFullPath(options.WorkingDirectory ?? Directory.GetCurrentDirectory());
        var fallback = new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        var commands = ImmutableArray.CreateBuilder<RecordedCommand>(entries.Count);
        DateTimeOffset? last = null;
        foreach (var entry in entries)
        {
            var started = entry.Started ?? last ?? entries.FirstOrDefault(e => e.Started is not null).Started ?? fallback;
            last = started;
            commands.Add(new RecordedCommand
            {
                Index = commands.Count,
                Command = entry.Command,
                Cwd = cwd,
                Started = started,
                Ended = entry.Duration is { } d ? started + d : null,
                Duration = entry.Duration,
                ExitCode = null,
            });
        }

        var all = commands.ToImmutable();
        var header = new SessionHeader
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = options.Name ?? "imported-" + Path.GetFileName(path),
            Shell = shell,
            Started = all[0].Started,
            Os = OperatingSystem.IsLinux() ? "linux" : null,
        };
        return new Session
        {
            Header = header,
            Commands = all,
            Footer = new SessionFooter
            {
                Ended = all.Max(c => c.Ended ?? c.Started),
                CommandCount = all.Length,
                Status = SessionStatus.Completed,
            },
        };
    }

    private static string Decode(byte[] bytes)
    {
        var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetString(bytes);
        return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
    }

    private static List<string> Lines(string text)
    {
        var lines = text.Split('\n').Select(line => line.EndsWith('\r') ? line[..^1] : line).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>zsh writes bytes 0x83-0x9f and a few others as 0x83 followed by the byte XOR 0x20 ("metafied").</summary>
    private static byte[] Unmetafy(byte[] bytes)
    {
        const byte Meta = 0x83;
        if (Array.IndexOf(bytes, Meta) < 0)
        {
            return bytes;
        }

        var result = new List<byte>(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            result.Add(bytes[i] == Meta && i + 1 < bytes.Length ? (byte)(bytes[++i] ^ 0x20) : bytes[i]);
        }

        return [.. result];
    }

    private static DateTimeOffset? FromUnix(string digits) =>
        long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 253402300800
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    [GeneratedRegex(@"^: *(\d+):(\d+);")]
    private static partial Regex ZshExtended();

    [GeneratedRegex(@"^#(\d{1,12})$")]
    private static partial Regex BashTimestamp();

    private readonly record struct Entry(string Command, DateTimeOffset? Started, TimeSpan? Duration);
}
