using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Interop;

namespace Tether.Sessions;

/// <summary>
/// The state directory of <see cref="RecordingDirectory"/>, opened: the names of each shell's files, the directory
/// lock, and the list of recordings. Every file Tether creates here is owner-only (0600), created with
/// <c>O_EXCL|O_NOFOLLOW</c> and replaced by rename, so nothing is ever written through a symbolic link.
/// </summary>
/// <remarks>
/// The state is runtime state (usually on a tmpfs that a reboot clears): files are replaced atomically (a reader never
/// sees half of one) but not fsynced; after a power loss the shells they describe are gone anyway.
/// </remarks>
internal sealed class RecordingFiles
{
    public const string ActiveExtension = ".active";
    public const string StoppingExtension = ".stopping";
    public const string SpoolExtension = ".spool";
    public const string LineExtension = ".line";

    /// <summary>Held (flock) by every start, stop and recovery, so two tether processes never act on one recording at
    /// once (two shells starting together would otherwise both recover the same dead recording).</summary>
    private const string LockFileName = ".lock";

    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private RecordingFiles(string directory) => Directory = directory;

    /// <summary>The directory (absolute).</summary>
    public string Directory { get; }

    /// <summary>How long <see cref="Lock"/> waits for another tether process before giving up.</summary>
    public static TimeSpan LockPatience { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Opens the directory, creating it (and missing parents) owner-only. An existing directory that others can enter
    /// is tightened to 0700; one that cannot be tightened (it belongs to someone else) or is a symbolic link is refused.
    /// </summary>
    /// <exception cref="RecordingStateException">The directory cannot be created or used.</exception>
    public static RecordingFiles Open(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Shell recording is implemented and tested on Linux only: it identifies shells through /proc.");
        }

        var path = Path.GetFullPath(directory);
        try
        {
            if (new DirectoryInfo(path).LinkTarget is { } target)
            {
                throw new RecordingStateException(path, $"The recording directory '{path}' is a symbolic link (to '{target}'); recording state is never kept behind a link. Remove it or set {RecordingDirectory.DirectoryVariable}.");
            }

            System.IO.Directory.CreateDirectory(path, OwnerOnlyDirectory);
            if ((File.GetUnixFileMode(path) & ~OwnerOnlyDirectory) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnlyDirectory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecordingStateException(path, $"The recording directory '{path}' cannot be used: {e.Message} It must be a directory of yours, owner-only (0700); fix it or set {RecordingDirectory.DirectoryVariable}.", e);
        }

        return new RecordingFiles(path);
    }

    public string Active(string key) => Path.Combine(Directory, key + ActiveExtension);

    public string Stopping(string key) => Path.Combine(Directory, key + StoppingExtension);

    public string Spool(string key) => Path.Combine(Directory, key + SpoolExtension);

    public string Line(string key) => Path.Combine(Directory, key + LineExtension);

    /// <summary>True when <paramref name="path"/> exists (a symbolic link counts, so it is never mistaken for absent).</summary>
    public static bool Exists(string path) => DurableFile.TryStat(path) is not null;

    /// <summary>The recordings in the directory: every <c>KEY.active</c> and <c>KEY.stopping</c> whose KEY is a shell
    /// identity. Other files are not ours to judge and are not listed.</summary>
    public IEnumerable<(ShellProcess Shell, string Path, bool Stopping)> Recordings()
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = Path.GetFileName(path);
            var stopping = name.EndsWith(StoppingExtension, StringComparison.Ordinal);
            if ((stopping || name.EndsWith(ActiveExtension, StringComparison.Ordinal))
                && ShellProcess.TryParseKey(Path.GetFileNameWithoutExtension(name), out var shell))
            {
                yield return (shell, path, stopping);
            }
        }
    }

    /// <summary>Takes the directory lock, waiting up to <see cref="LockPatience"/> for another tether process.</summary>
    /// <exception cref="RecordingStateException">Still locked after that.</exception>
    public IDisposable Lock()
    {
        var path = Path.Combine(Directory, LockFileName);
        SafeFileHandle handle;
        try
        {
            handle = DurableFile.OpenOrCreate(path);
        }
        catch (IOException e)
        {
            throw new RecordingStateException(path, $"The recording lock '{path}' cannot be opened: {e.Message}", e);
        }

        try
        {
            // Real (monotonic) time, not a TimeProvider: this waits for another process, which no virtual clock drives.
            var deadline = Environment.TickCount64 + (long)LockPatience.TotalMilliseconds;
            while (!DurableFile.TryLockExclusive(handle, path))
            {
                if (Environment.TickCount64 > deadline)
                {
                    throw new RecordingStateException(path, $"Another tether process has held the recording lock '{path}' for over {LockPatience.TotalSeconds:0} s; try again, or find the stuck process (fuser {path}).");
                }

                Thread.Sleep(20);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return handle; // closing the descriptor releases the flock
    }

    /// <summary>Creates <paramref name="path"/> empty and owner-only; an existing file of that name is replaced.</summary>
    public void CreateEmpty(string path)
    {
        DurableFile.Delete(path);
        DurableFile.CreateNew(path).Dispose();
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> atomically
    /// (<see cref="DurableFile.ReplaceAtomically"/>): a reader (the shell's <c>-e</c> test included) sees no file or the
    /// whole file, and a crash leaves the old file or the new one.</summary>
    public void WriteAtomically(string path, ReadOnlySpan<byte> content) => DurableFile.ReplaceAtomically(path, content);

    /// <summary>Reads a file of ours, refusing a symbolic link and anything larger than <paramref name="limit"/> bytes;
    /// null when it does not exist.</summary>
    /// <exception cref="RecordingStateException">It is larger than the limit.</exception>
    public static byte[]? ReadIfExists(string path, long limit)
    {
        SafeFileHandle handle;
        try
        {
            handle = DurableFile.OpenExisting(path);
        }
        catch (PosixIOException e) when (e.Errno == Libc.ENOENT)
        {
            return null;
        }

        using (handle)
        {
            var length = DurableFile.Stat(handle, path).Size;
            if (length > limit)
            {
                throw new RecordingStateException(path, $"'{path}' has {length} bytes, over the limit of {limit}; it was left as it is. Split the recording, or read the file yourself.");
            }

            var content = new byte[length];
            var read = 0;
            while (read < content.Length)
            {
                var n = DurableFile.ReadAt(handle, content.AsSpan(read), read, path);
                if (n == 0)
                {
                    break; // shrank meanwhile
                }

                read += n;
            }

            return read == content.Length ? content : content[..read];
        }
    }
}
