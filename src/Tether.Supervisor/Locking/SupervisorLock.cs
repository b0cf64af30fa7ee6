using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.IO;

namespace Tether.Supervisor.Locking;

/// <summary>
/// One supervisor per project directory: an exclusive <c>flock</c> on <c>.tether/supervisor.lock</c>, held for the
/// supervisor's life, with the holder's pid written in the file so a second supervisor can say who runs. The kernel
/// releases the lock when its holder dies, however it died, so a stale file never blocks a new supervisor.
/// </summary>
internal sealed class SupervisorLock : IDisposable
{
    /// <summary>The lock file's name in the state directory.</summary>
    public const string FileName = "supervisor.lock";

    private readonly SafeFileHandle _handle;

    private SupervisorLock(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates <paramref name="stateDirectory"/> (0700) if needed and takes its lock, writing this process's pid into it.
    /// </summary>
    /// <exception cref="SupervisorAlreadyRunningException">Another supervisor holds the lock.</exception>
    /// <exception cref="IOException">The directory or the file cannot be created or locked (a symbolic link, no permission, …).</exception>
    public static SupervisorLock Acquire(string stateDirectory)
    {
        EnsureStateDirectory(stateDirectory);
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        var handle = DurableFile.OpenOrCreate(path);
        try
        {
            DurableFile.TightenToOwnerOnly(handle, path);
            if (!DurableFile.TryLockExclusive(handle, path))
            {
                throw new SupervisorAlreadyRunningException(System.IO.Path.GetDirectoryName(stateDirectory) ?? stateDirectory, ReadPid(handle, path));
            }

            var pid = Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            DurableFile.Truncate(handle, 0, path);
            DurableFile.WriteAll(handle, pid, 0, path);
            return new SupervisorLock(handle, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the state directory owner-only (0700), or makes an existing one so; refuses a symbolic link, which could
    /// send the supervisor's journal, logs and socket somewhere else.
    /// </summary>
    public static void EnsureStateDirectory(string stateDirectory)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The supervisor keeps its state with Linux file modes and locks; it runs on Linux only for now.");
        }

        var info = new DirectoryInfo(stateDirectory);
        if (info.LinkTarget is not null)
        {
            throw new IOException($"'{stateDirectory}' is a symbolic link; Tether keeps its state only in a real directory. Remove the link and start again.");
        }

        const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (!info.Exists)
        {
            Directory.CreateDirectory(stateDirectory, OwnerOnly);
        }
        else if (info.UnixFileMode != OwnerOnly)
        {
            File.SetUnixFileMode(stateDirectory, OwnerOnly);
        }
    }

    /// <summary>Unlocks (the file stays: removing it would race with a supervisor about to lock it).</summary>
    public void Dispose() => _handle.Dispose();

    private static int? ReadPid(SafeFileHandle handle, string path)
    {
        var buffer = new byte[32];
        var read = DurableFile.ReadAt(handle, buffer, 0, path);
        var text = Encoding.ASCII.GetString(buffer, 0, read).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }
}
