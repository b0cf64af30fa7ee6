using BenchmarkDotNet.Attributes;
using Tether.Journaling;
using TetherJournal = Tether.Journaling.Journal;

namespace Tether.Benchmarks.Journal;

/// <summary>
/// Durable appends from 1, 8 and 64 concurrent appenders in one process: <see cref="RecordsPerOperation"/> records per
/// operation, split evenly across the appenders, each appender appending its share one after the other and waiting for
/// each to be durable. The reference design (open, flock, write, fsync, close per event; blocking, so one thread per
/// appender) against the Tether journal with <see cref="Durability.Synced"/> (one task per appender, group-committed).
/// Every iteration starts from an empty directory under /var/tmp (the real disk).
/// </summary>
[Config(typeof(JournalAppendConfig))]
public class JournalAppendBenchmarks
{
    public const int RecordsPerOperation = 512;

    private string? _directory;
    private ReferenceAppender? _reference;
    private TetherJournal? _journal;

    [Params(1, 8, 64)]
    public int Appenders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The reference appenders block in flock and fsync: without enough pool threads, 64 of them would be measuring
        // the thread pool's injection rate rather than the design.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 128), io);

        Validation.Once(nameof(JournalAppendBenchmarks), () => ValidateAsync().GetAwaiter().GetResult());
    }

    [IterationSetup(Target = nameof(Reference))]
    public void SetupReference()
    {
        _directory = JournalBench.NewScratchDirectory("reference");
        _reference = new ReferenceAppender(Path.Combine(_directory, "events.jsonl"));
    }

    [IterationSetup(Target = nameof(TetherSynced))]
    public void SetupTether()
    {
        _directory = JournalBench.NewScratchDirectory("journal");
        _journal = TetherJournal.OpenAsync(_directory).GetAwaiter().GetResult();
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _journal?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _journal = null;
        _reference = null;
        JournalBench.DeleteQuietly(_directory);
        _directory = null;
    }

    [Benchmark(Baseline = true, Description = "Reference (open+flock+write+fsync per event)")]
    public Task Reference()
    {
        var appender = _reference!;
        var share = RecordsPerOperation / Appenders;
        var tasks = new Task[Appenders];
        for (var a = 0; a < Appenders; a++)
        {
            var first = a * share;
            tasks[a] = Task.Run(() =>
            {
                for (var i = first; i < first + share; i++)
                {
                    appender.Append(JournalBench.Type, JournalBench.Job, i);
                }
            });
        }

        return Task.WhenAll(tasks);
    }

    [Benchmark(Description = "Tether Journal (Synced)")]
    public Task TetherSynced()
    {
        var journal = _journal!;
        var share = RecordsPerOperation / Appenders;
        var tasks = new Task[Appenders];
        for (var a = 0; a < Appenders; a++)
        {
            tasks[a] = AppendShareAsync(journal, a * share, share);
        }

        return Task.WhenAll(tasks);
    }

    private static async Task AppendShareAsync(TetherJournal journal, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            await journal.AppendAsync(JournalBench.Entry(i)).ConfigureAwait(false);
        }
    }

    /// <summary>Both contenders, 64 appenders, one operation: every record is there exactly once.</summary>
    private async Task ValidateAsync()
    {
        Appenders = 64;
        try
        {
            SetupReference();
            await Reference();
            var lines = await File.ReadAllLinesAsync(_reference!.Path);
            Validation.Expect(lines.Length == RecordsPerOperation && lines.Distinct().Count() == RecordsPerOperation, "the reference file's lines");
            Cleanup();

            SetupTether();
            await TetherSynced();
            var seqs = new List<ulong>();
            await foreach (var record in _journal!.Reader.ReadAsync())
            {
                seqs.Add(record.Seq);
            }

            Validation.Expect(seqs.SequenceEqual(Enumerable.Range(1, RecordsPerOperation).Select(i => (ulong)i)), "the journal's seqs");
            Console.WriteLine($"// Journal validation: {RecordsPerOperation} records from 64 appenders, reference and journal; journal counters {_journal.Counters}");
        }
        finally
        {
            Cleanup();
        }
    }
}
