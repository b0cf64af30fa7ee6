using BenchmarkDotNet.Attributes;
using Tether.Journaling;
using TetherJournal = Tether.Journaling.Journal;

namespace Tether.Benchmarks.Journal;

/// <summary>
/// Streams a journal of <see cref="Records"/> small records (about 170 bytes each, 64 MiB segments) with
/// <see cref="JournalReader.ReadAsync"/>, strict mode, all records. The journal is written once per process with
/// <see cref="Durability.Buffered"/> (only to make the setup fast) and flushed; reads then come from the page cache.
/// </summary>
[Config(typeof(JournalReadConfig))]
public class JournalReadBenchmarks
{
    public const int Records = 1_000_000;

    private string? _directory;
    private JournalReader? _reader;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => JournalBench.DeleteQuietly(_directory);

    [Benchmark(Description = "JournalReader.ReadAsync, all records")]
    public async Task<long> ReadAll()
    {
        long count = 0;
        await foreach (var record in _reader!.ReadAsync().ConfigureAwait(false))
        {
            count++;
        }

        if (count != Records)
        {
            throw new InvalidOperationException($"Read {count} records, expected {Records}.");
        }

        return count;
    }

    private async Task SetupAsync()
    {
        _directory = JournalBench.NewScratchDirectory("read");
        var journal = await TetherJournal.OpenAsync(_directory, new JournalOptions { Durability = Durability.Buffered });
        await using (journal.ConfigureAwait(false))
        {
            const int Window = 4096;
            var pending = new List<Task<ulong>>(Window);
            for (var i = 0; i < Records; i++)
            {
                pending.Add(journal.AppendAsync(JournalBench.Entry(i)));
                if (pending.Count == Window)
                {
                    await Task.WhenAll(pending);
                    pending.Clear();
                }
            }

            await Task.WhenAll(pending);
            await journal.FlushAsync();
        }

        _reader = new JournalReader(_directory);
        var bytes = _reader.ListSegments().Sum(s => s.Bytes);
        Console.WriteLine($"// Journal read setup: {Records:N0} records, {_reader.ListSegments().Count} segments, {bytes / (1024.0 * 1024):F1} MiB");
    }
}
