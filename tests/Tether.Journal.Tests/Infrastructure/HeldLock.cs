using Microsoft.Win32.SafeHandles;
using Tether.IO;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>
/// Holds a journal's lock as another process would (flock on its own open file description), so a spec can make the
/// writer wait and let appends pile up. Released on dispose.
/// </summary>
internal sealed class HeldLock : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;

    private HeldLock(string path)
    {
        _path = path;
        _handle = DurableFile.OpenOrCreate(path);
        DurableFile.LockExclusive(_handle, path);
    }

    public static HeldLock On(string journalDirectory) => new(Path.Combine(journalDirectory, JournalLayout.LockName));

    public void Dispose()
    {
        DurableFile.Unlock(_handle, _path);
        _handle.Dispose();
    }
}
