using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tether.Journaling;
using TetherJournal = Tether.Journaling.Journal;

namespace Tether.Benchmarks.Journal;

/// <summary>
/// <c>journal-latency [--appends N] [--warmup N]</c>: the latency of one <see cref="TetherJournal.AppendAsync"/> with
/// <see cref="Durability.Synced"/> and a single appender, against one plain <c>fdatasync</c> after a small appending
/// <c>write</c> to a file on the same file system. The two are measured in rounds (each round one of each, their order
/// alternating), so a background load that comes and goes touches both alike.
/// </summary>
internal static class JournalLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var appends = Option(args, "--appends", 2000);
        var warmup = Option(args, "--warmup", 200);
        var journalDirectory = JournalBench.NewScratchDirectory("latency-journal");
        var plainDirectory = JournalBench.NewScratchDirectory("latency-plain");
        var journal = await TetherJournal.OpenAsync(journalDirectory);
        var fd = Libc.Check(() => Libc.Open(Path.Combine(plainDirectory, "plain.jsonl"), Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_000_000), "open");
        try
        {
            var line = Encoding.UTF8.GetBytes("{\"type\":\"job.output\",\"job\":\"build-42\",\"data\":{\"n\":0,\"stream\":\"stdout\",\"text\":\"compiling module 0\"}}\n");
            var append = new double[appends];
            var sync = new double[appends];
            var writeAndSync = new double[appends];
            for (var round = -warmup; round < appends; round++)
            {
                var (a, s, ws) = round % 2 == 0
                    ? (await TimeAppendAsync(journal, round), TimeSync(fd, line, out var w1), w1)
                    : Swap(TimeSync(fd, line, out var w2), w2, await TimeAppendAsync(journal, round));
                if (round >= 0)
                {
                    append[round] = a;
                    sync[round] = s;
                    writeAndSync[round] = ws;
                }
            }

            Array.Sort(append);
            Array.Sort(sync);
            Array.Sort(writeAndSync);
            Console.WriteLine($"journal-latency: {appends} rounds after {warmup} warmup rounds, directories under {JournalBench.ScratchRoot}");
            Console.WriteLine("                                      p50        p90        p99        max   (µs)");
            Print("Journal.AppendAsync (Synced, 1 appender)", append);
            Print("fdatasync after a small write", sync);
            Print("write + fdatasync", writeAndSync);
            var ratio = Percentile(append, 0.50) / Percentile(sync, 0.50);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"append p50 / fdatasync p50 = {ratio:F2} (target <= 1.5); vs write+fdatasync p50 = {Percentile(append, 0.50) / Percentile(writeAndSync, 0.50):F2}"));
            Console.WriteLine($"journal counters: {journal.Counters}");
            return 0;
        }
        finally
        {
            Libc.Close(fd);
            await journal.DisposeAsync();
            JournalBench.DeleteQuietly(journalDirectory);
            JournalBench.DeleteQuietly(plainDirectory);
        }
    }

    private static (double Append, double Sync, double WriteAndSync) Swap(double sync, double writeAndSync, double append) =>
        (append, sync, writeAndSync);

    private static async Task<double> TimeAppendAsync(TetherJournal journal, int n)
    {
        var entry = JournalBench.Entry(n);
        var start = Stopwatch.GetTimestamp();
        await journal.AppendAsync(entry);
        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    /// <summary>Appends <paramref name="line"/> and fdatasyncs; returns the fdatasync alone, and write + fdatasync.</summary>
    private static double TimeSync(int fd, byte[] line, out double writeAndSync)
    {
        var start = Stopwatch.GetTimestamp();
        Libc.WriteAll(fd, line);
        var written = Stopwatch.GetTimestamp();
        Libc.Check(() => Libc.Fdatasync(fd), "fdatasync");
        var end = Stopwatch.GetTimestamp();
        writeAndSync = Stopwatch.GetElapsedTime(start, end).TotalMicroseconds;
        return Stopwatch.GetElapsedTime(written, end).TotalMicroseconds;
    }

    private static void Print(string what, double[] sorted) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-40} {Percentile(sorted, 0.50),8:F0}   {Percentile(sorted, 0.90),8:F0}   {Percentile(sorted, 0.99),8:F0}   {sorted[^1],8:F0}"));

    private static double Percentile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
