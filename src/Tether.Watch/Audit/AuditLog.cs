using System.Globalization;
using System.Reflection;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The watcher's audit log (docs/formats/audit.md): an append-only, hash-chained, tab-separated file of its decisions —
/// <c>boot</c>, <c>spawn</c>, <c>complete</c>, <c>refused</c> — where any edited, removed or reordered row breaks
/// <see cref="AuditVerifier"/>. Each row is written whole and fsynced before its method returns. The file is
/// owner-only (0600), never written through a symbolic link, and held by one writer at a time (an exclusive
/// <c>fcntl</c> lock across processes). Thread-safe. Full argv, environments and output are never written: their
/// methods take a program name, an argument count and output sizes.
/// </summary>
public sealed partial class AuditLog : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly Lock s_openGate = new();
    private static readonly HashSet<string> s_open = new(StringComparer.Ordinal);

    private readonly Lock _gate = new();
    private readonly string _fullPath;
    private readonly AuditOptions _options;
    private FileStream _stream;
    private long _length;
    private long _rowsInFile;
    private AuditAnchor _last;
    private string? _broken;
    private bool _disposed;

    private AuditLog(string path, string fullPath, AuditOptions options, FileStream stream, long length, long rowsInFile, AuditAnchor last, string? repairReason)
    {
        Path = path;
        _fullPath = fullPath;
        _options = options;
        _stream = stream;
        _length = length;
        _rowsInFile = rowsInFile;
        _last = last;
        RepairReason = repairReason;
    }

    /// <summary>The file, as given to <see cref="Open"/>. Rotated generations sit beside it as <c>PATH.1</c> … <c>PATH.N</c>.</summary>
    public string Path { get; }

    /// <summary>The seq of the last row written (0 before a new log's first row); the next row gets one more.</summary>
    public ulong LastSeq
    {
        get
        {
            lock (_gate)
            {
                return _last.Seq;
            }
        }
    }

    /// <summary>The chain value of the last row written (64 zeros before a new log's first row), 64 lower-case hex digits.</summary>
    public string LastChain
    {
        get
        {
            lock (_gate)
            {
                return AuditFormat.Hex(_last.Chain);
            }
        }
    }

    /// <summary>
    /// What <see cref="Open"/> repaired, as written in the <c>reason</c> of the <c>boot</c> row it appended — such as
    /// <c>repaired torn final row (57 bytes)</c> — or null when the file needed no repair.
    /// </summary>
    public string? RepairReason { get; }

    /// <summary>
    /// Where <see cref="Open"/> moved the torn bytes it cut off (a <c>torn-*.bin</c> side file beside the log, 0600,
    /// also named in the <c>torn_file</c> field of the boot row), or null when the file needed no repair.
    /// </summary>
    public string? TornTailFile { get; private init; }

    /// <summary>
    /// Opens the audit log at <paramref name="path"/> for appending, creating it (owner-only, 0600) when missing. An
    /// existing file is checked row by row to find where its chain ends. A torn final row — no line end, or a last
    /// line that does not read, as a crash leaves it — is cut off, and a <c>boot</c> row whose reason says
    /// <c>repaired torn final row (N bytes)</c> is appended. When the file is missing (or holds only a torn header)
    /// and <c>PATH.1</c> exists, as after a crash mid-rotation, the new file continues <c>PATH.1</c>'s chain.
    /// </summary>
    /// <param name="path">The audit file.</param>
    /// <param name="options">Rotation and clock; defaults when null.</param>
    /// <returns>The open log: append with <see cref="Boot"/>, <see cref="Spawn(long, uint, ulong?, string, int)"/>, <see cref="Complete"/>, <see cref="Refused"/>.</returns>
    /// <exception cref="ArgumentException">An empty path, or options out of range.</exception>
    /// <exception cref="AuditLogException">
    /// The path is a symbolic link, a directory or not a regular file; its directory is missing or not writable; the
    /// log is already open (in this process or, by its lock, in another); or the file holds damage other than a torn
    /// final row (see <see cref="AuditLogException.Problem"/>) — the file is left as it is, as evidence.
    /// </exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux: owner-only files, link refusal and the writer lock are implemented and tested on Linux only.</exception>
    public static AuditLog Open(string path, AuditOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new AuditOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, AuditOptions.MinimumMaxBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Generations, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Generations, AuditOptions.MaximumGenerations, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The audit log is implemented for Linux only: owner-only files, symbolic-link refusal and the writer lock are not implemented and tested on this platform.");
        }

        var fullPath = System.IO.Path.GetFullPath(path);
        Reserve(path, fullPath);
        FileStream? stream = null;
        AuditLog? log = null;
        try
        {
            stream = OpenFile(path, fullPath);
            var (length, rows, last, repair, moved) = Prepare(path, fullPath, stream, options.TimeProvider);
            log = new AuditLog(path, fullPath, options, stream, length, rows, last, repair) { TornTailFile = moved?.SideFilePath };
            if (repair is not null)
            {
                try
                {
                    log.Append(AuditRowKind.Boot, [new("version", LibraryVersion), Field("pid", Environment.ProcessId), new("reason", repair), new("torn_file", moved!.SideFileName)]);
                }
                catch
                {
                    log.Dispose();
                    throw;
                }
            }

            return log;
        }
        catch (Exception ex) when (log is null)
        {
            stream?.Dispose();
            Release(fullPath);
            if (ex is IOException or UnauthorizedAccessException)
            {
                throw new AuditLogException(path, $"The audit log '{path}' cannot be opened: {ex.Message}", inner: ex);
            }

            throw;
        }
    }

    /// <summary>Closes the file and releases its lock. Appending afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stream.Dispose();
        }

        Release(_fullPath);
    }

    /// <summary>Appends one row: seq and chain follow the last row; the time comes from the options' clock.</summary>
    private AuditRow Append(AuditRowKind kind, List<KeyValuePair<string, string>> fields)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_broken is not null)
            {
                throw new AuditLogException(Path, _broken);
            }

            var row = AuditRow.Create(_last.Seq + 1, _options.TimeProvider.GetUtcNow(), kind, _last.Chain, fields);
            var bytes = Encoding.UTF8.GetBytes(row.Line + "\n");
            if (_rowsInFile > 0 && _length + bytes.Length > _options.MaxBytes)
            {
                Rotate();
            }

            try
            {
                _stream.Position = _length;
                _stream.Write(bytes);
                _stream.Flush(flushToDisk: true);
            }
            catch (IOException ex)
            {
                throw WriteFailed(row.Seq, ex);
            }

            _length += bytes.Length;
            _rowsInFile++;
            _last = new AuditAnchor(row.Seq, Convert.FromHexString(row.Chain));
            return row;
        }
    }

    /// <summary>
    /// A write failed (a full disk, an I/O error): cut the file back to its last whole row so the next row cannot
    /// land after half of this one; when even that fails, refuse every later row rather than corrupt the chain.
    /// </summary>
    private AuditLogException WriteFailed(ulong seq, IOException ex)
    {
        try
        {
            _stream.SetLength(_length);
            _stream.Flush(flushToDisk: true);
            return new AuditLogException(Path, string.Create(CultureInfo.InvariantCulture, $"Row {seq} could not be written to the audit log '{Path}': {ex.Message} The log is unchanged; the next row gets seq {seq} again."), inner: ex);
        }
        catch (IOException)
        {
            _broken = $"The audit log '{Path}' may end in part of a row after a failed write ({ex.Message}); no more rows are written to it. Open it again: the torn row is repaired on open.";
            return new AuditLogException(Path, _broken, inner: ex);
        }
    }

    private static KeyValuePair<string, string> Field(string key, long value) => new(key, value.ToString(CultureInfo.InvariantCulture));

    private static KeyValuePair<string, string> Field(string key, ulong value) => new(key, value.ToString(CultureInfo.InvariantCulture));

    private static KeyValuePair<string, string> Field(string key, bool value) => new(key, value ? "true" : "false");

    private static KeyValuePair<string, string> Text(string key, string? value) => new(key, AuditFormat.Clean(value));

    private static string LibraryVersion { get; } = AuditFormat.Clean(
        typeof(AuditLog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(AuditLog).Assembly.GetName().Version?.ToString()
        ?? "unknown");

    /// <summary>One log per file per process: a second writer in the same process would share the process's lock.</summary>
    private static void Reserve(string path, string fullPath)
    {
        lock (s_openGate)
        {
            if (!s_open.Add(fullPath))
            {
                throw new AuditLogException(path, $"The audit log '{path}' is already open in this process: share that AuditLog (it is thread-safe) instead of opening the file twice.");
            }
        }
    }

    private static void Release(string fullPath)
    {
        lock (s_openGate)
        {
            s_open.Remove(fullPath);
        }
    }
}
