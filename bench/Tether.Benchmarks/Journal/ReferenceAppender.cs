using System.Globalization;
using System.Text;

namespace Tether.Benchmarks.Journal;

/// <summary>
/// The reference design the journal is measured against: every event on its own opens the file with
/// <c>O_APPEND</c>, takes <c>flock(LOCK_EX)</c>, writes one JSON line, <c>fsync</c>s, unlocks and closes. Safe with any
/// number of threads and processes, and simple; each event pays a full sync of its own.
/// </summary>
internal sealed class ReferenceAppender(string path)
{
    /// <summary>The file appended to.</summary>
    public string Path { get; } = path;

    /// <summary>Appends one event durably; returns once <c>fsync</c> returned. Blocks the calling thread.</summary>
    public void Append(string type, string job, int n)
    {
        // The line carries what a journal record carries apart from seq and crc: a timestamp, the type, the job, the data.
        var ts = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var line = Encoding.UTF8.GetBytes($"{{\"ts\":\"{ts}\",\"type\":\"{type}\",\"job\":\"{job}\",\"data\":{{\"n\":{n},\"stream\":\"stdout\",\"text\":\"compiling module {n}\"}}}}\n");
        var fd = Libc.Check(() => Libc.Open(Path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000), "open");
        try
        {
            Libc.Check(() => Libc.Flock(fd, Libc.LOCK_EX), "flock");
            Libc.WriteAll(fd, line);
            Libc.Check(() => Libc.Fsync(fd), "fsync");
            Libc.Check(() => Libc.Flock(fd, Libc.LOCK_UN), "flock");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
