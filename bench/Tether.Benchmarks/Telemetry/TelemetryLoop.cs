using System.Diagnostics;
using System.Globalization;
using Tether.Journaling;
using TetherJournal = Tether.Journaling.Journal;

namespace Tether.Benchmarks.Telemetry;

/// <summary>
/// The measured side of <c>telemetry-regression</c>: one process that warms up, then times a block of spawns of
/// <c>/bin/true</c> (<see cref="ProcessRunner.OutputBytesAsync"/>) and a block of durable journal appends, and prints
/// one line of figures (the median time of one operation, the bytes allocated per operation). It uses only API that
/// existed before the libraries were instrumented, because the same file is compiled against both revisions (copied
/// into a small runner project that <see cref="TelemetryRegression"/> writes beside each revision's sources); nothing
/// in it listens to telemetry.
/// </summary>
internal static class TelemetryLoop
{
    /// <summary>The prefix of the figures line, so the parent can tell it from anything else the child prints.</summary>
    public const string Prefix = "telemetry-loop";

    /// <summary>Runs <c>--block N</c> operations of each kind after a warm-up block and prints the figures line.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var i = Array.IndexOf(args, "--block");
        var block = i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : 40;
        var command = new Command("/bin/true").ToPipeline();
        var directory = Path.Combine(Path.GetTempPath(), $"tether-telemetry-loop-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var journal = await TetherJournal.OpenAsync(directory);
            await using (journal)
            {
                var entry = new JournalEntry("bench.telemetry", "job-1");
                Task<ProcessResult<byte[]>> Spawn() => ProcessRunner.Default.OutputBytesAsync(command);
                Task<ulong> Append() => journal.AppendAsync(entry);

                // A warm-up block of each, then a pause for the runtime's background tier-up, so the measured blocks
                // run the optimised code of either revision rather than its first, instrumented-for-profiling tier.
                await MeasureAsync(block, Spawn);
                await MeasureAsync(block, Append);
                await Task.Delay(300);

                var spawned = await MeasureAsync(block, Spawn);
                var appended = await MeasureAsync(block, Append);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{Prefix} spawn_us={spawned.Microseconds:F1} spawn_bytes={spawned.Bytes:F0} append_us={appended.Microseconds:F1} append_bytes={appended.Bytes:F0}"));
            }

            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The median time of one operation in the block (robust to the odd operation a busy machine preempts) and the
    /// block's allocated bytes per operation.
    /// </summary>
    private static async Task<(double Microseconds, double Bytes)> MeasureAsync<T>(int count, Func<Task<T>> operation)
    {
        var times = new double[count];
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await operation();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        }

        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        Array.Sort(times);
        return (times[count / 2], (double)bytes / count);
    }
}
