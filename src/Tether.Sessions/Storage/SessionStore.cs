using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Interop;

namespace Tether.Sessions;

/// <summary>
/// The recorded shell sessions of a user: one file per session, <c>{id}.ndjson</c>, in one directory (by default
/// <c>$XDG_DATA_HOME/tether/sessions</c>; see <see cref="Open"/>). The files are rec's NDJSON version 2
/// (docs/formats/session.md), so a store can also be pointed at rec's own directory.
/// </summary>
/// <remarks>
/// Every file the store creates is owner-only (0600) and never written through a symbolic link. Recording appends one
/// durable line per command (<see cref="SessionWriter"/>); every other change — rename, tag, edit — rewrites the file
/// atomically (temp file, fsync, rename), so a crash leaves the old file or the new one, never a mix. Loading tolerates
/// a torn final line and reports a corrupt line by its number while the rest loads.
/// </remarks>
public sealed partial class SessionStore
{
    /// <summary>The environment variable that overrides the store's directory.</summary>
    public const string DirectoryVariable = "TETHER_SESSIONS_DIR";

    /// <summary>Held (flock) while a name is checked and taken, so two processes cannot both take one name.</summary>
    private const string LockFileName = ".lock";

    private SessionStore(string directory) => Directory = directory;

    /// <summary>The directory of the session files (an absolute path).</summary>
    public string Directory { get; }

    /// <summary>Test seam: runs after a rewrite's temp file is complete and synced, just before it replaces the file.
    /// Throwing from it simulates a crash or failure at the worst moment.</summary>
    internal Action<string>? BeforeReplace { get; set; }

    /// <summary>
    /// Opens the store in <paramref name="directory"/>, or else in <c>$TETHER_SESSIONS_DIR</c>, else
    /// <c>$XDG_DATA_HOME/tether/sessions</c> (when that variable holds an absolute path), else
    /// <c>~/.local/share/tether/sessions</c>. A directory that does not exist is created owner-only (0700), with its
    /// missing parents.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="IOException">The directory cannot be created (or a file has its name).</exception>
    public static SessionStore Open(string? directory = null)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The session store is implemented and tested on Linux only: owner-only files, symbolic-link refusal and durable appends use Linux system calls.");
        }

        var path = Path.GetFullPath(directory ?? ResolveDirectory(Environment.GetEnvironmentVariable));
        System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new SessionStore(path);
    }

    /// <summary>Where the default store is, given the environment (read through <paramref name="variable"/>; an empty
    /// value counts as unset). The XDG Base Directory rule: a relative <c>XDG_DATA_HOME</c> is ignored.</summary>
    /// <exception cref="InvalidOperationException">No variable says where, and the home directory is unknown.</exception>
    internal static string ResolveDirectory(Func<string, string?> variable)
    {
        if (variable(DirectoryVariable) is { Length: > 0 } explicitDirectory)
        {
            return Path.GetFullPath(explicitDirectory);
        }

        if (variable("XDG_DATA_HOME") is { Length: > 0 } dataHome && Path.IsPathRooted(dataHome))
        {
            return Path.Combine(dataHome, "tether", "sessions");
        }

        var home = variable("HOME") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return home.Length > 0
            ? Path.Combine(home, ".local", "share", "tether", "sessions")
            : throw new InvalidOperationException($"Cannot tell where to keep sessions: HOME is not set; set {DirectoryVariable} or XDG_DATA_HOME.");
    }

    /// <summary>
    /// Starts a new session file with <paramref name="header"/> as its first line (durably) and returns the writer for
    /// its commands. The file is <c>{id}.ndjson</c>, created owner-only (0600) and never through a symbolic link.
    /// </summary>
    /// <exception cref="SessionNameException">The name is not acceptable, or the id is not a UUID.</exception>
    /// <exception cref="SessionExistsException">A session with that name or that id exists (or something else has the
    /// id's file name, a symbolic link included); nothing is written.</exception>
    /// <exception cref="IOException">The file could not be written; nothing stays behind.</exception>
    public SessionWriter Create(SessionHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        SessionNames.ValidateName(header.Name, nameof(header));
        SessionNames.ValidateId(header.Id, nameof(header));
        var line = Encoding.UTF8.GetBytes(SessionFormat.WriteHeader(header) + "\n");

        using var storeLock = LockStore();
        var path = PathOf(header.Id);
        if (DurableFile.TryStat(path) is not null)
        {
            throw new SessionExistsException(header.Id, isId: true, path);
        }

        RefuseTakenName(header.Name, exceptPath: null);

        SafeFileHandle handle;
        try
        {
            handle = DurableFile.CreateNew(path);
        }
        catch (PosixIOException e) when (e.Errno is Libc.EEXIST or Libc.ELOOP)
        {
            throw new SessionExistsException(header.Id, isId: true, path);
        }

        try
        {
            using (handle)
            {
                DurableFile.WriteAll(handle, line, 0, path);
                DurableFile.DataSync(handle, path);
            }

            DurableFile.SyncDirectory(Directory);
        }
        catch
        {
            try
            {
                DurableFile.Delete(path);
            }
            catch (IOException)
            {
                // The original failure is what the caller needs to see; a header-less file is listed as unreadable.
            }

            throw;
        }

        return new SessionWriter(path, header.Name, commandCount: 0);
    }

    /// <summary>
    /// Reopens an unfinished session (no footer) to append more commands — what stale recovery does before it writes
    /// the footer. A torn final line left by the crashed writer is cut off (into a sidecar file) at the first append.
    /// </summary>
    /// <exception cref="SessionNotFoundException">No such session.</exception>
    /// <exception cref="SessionAmbiguousException">Several sessions have that name.</exception>
    /// <exception cref="InvalidOperationException">The session is finished: it has a footer.</exception>
    /// <exception cref="SessionFormatException">The file has no readable header.</exception>
    /// <exception cref="IOException">The file is a symbolic link, or cannot be read.</exception>
    public SessionWriter Append(string nameOrId)
    {
        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        using var file = LockedSessionFile.Open(path);
        using var content = new MemoryStream(SessionFiles.ReadAll(file.Handle, path), writable: false);
        var session = SessionFormat.Parse(content, path).Session;
        if (session.Footer is { } footer)
        {
            throw new InvalidOperationException($"The session '{session.Name}' is finished ({footer.Status.ToString().ToLowerInvariant()}); a finished session cannot be appended to.");
        }

        return new SessionWriter(path, session.Name, session.Commands.Length);
    }

    /// <summary>Loads a session by name or id. The file is not changed, even when it ends with a torn line.</summary>
    /// <exception cref="SessionNotFoundException">No such session; the exception suggests the closest names.</exception>
    /// <exception cref="SessionAmbiguousException">Several sessions have that name.</exception>
    /// <exception cref="SessionFormatException">The file has no readable header, or is of another format version.</exception>
    /// <exception cref="IOException">The file is a symbolic link, or cannot be read.</exception>
    public SessionLoad Load(string nameOrId)
    {
        var path = Find(nameOrId) ?? throw NotFound(nameOrId);
        return SessionFiles.Load(path);
    }

    /// <summary>
    /// Every session file of the store (<c>*.ndjson</c>), read in full, oldest first. A file that cannot be read is
    /// listed with <see cref="SessionSummary.Unreadable"/> saying why, after the others; nothing is thrown for it.
    /// </summary>
    public IReadOnlyList<SessionSummary> List()
    {
        var summaries = new List<SessionSummary>();
        foreach (var path in SessionPaths())
        {
            try
            {
                summaries.Add(SessionSummary.From(SessionFiles.Load(path)));
            }
            catch (Exception e) when (e is SessionFormatException or IOException or UnauthorizedAccessException)
            {
                summaries.Add(SessionSummary.ForUnreadable(path, e.Message));
            }
        }

        return summaries
            .OrderBy(s => s.IsReadable ? 0 : 1)
            .ThenBy(s => s.Started)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Path, StringComparer.Ordinal)
            .ToList();
    }

    private string PathOf(string id) => Path.Combine(Directory, id + SessionFormat.FileExtension);

    /// <summary>The session files: <c>*.ndjson</c>, not hidden (temp files are). Sidecars, temp files and rec's
    /// <c>.ndjson.bak</c>/<c>.ndjson.tmp</c> files have other extensions.</summary>
    private IEnumerable<string> SessionPaths() =>
        System.IO.Directory.EnumerateFiles(Directory)
            .Where(path => string.Equals(Path.GetExtension(path), SessionFormat.FileExtension, StringComparison.Ordinal)
                           && !Path.GetFileName(path).StartsWith('.'))
            .Order(StringComparer.Ordinal);

    private SafeFileHandle LockStore()
    {
        var path = Path.Combine(Directory, LockFileName);
        var handle = DurableFile.OpenOrCreate(path);
        try
        {
            DurableFile.LockExclusive(handle, path);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
