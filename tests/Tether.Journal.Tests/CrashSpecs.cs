using Xunit.Abstractions;

namespace Tether.Journaling.Tests;

/// <summary>
/// Real crashes: several writer processes (tests/Tether.Journal.CrashWriter) append concurrently to one journal and are
/// SIGKILLed at random moments, round after round on the same journal. A writer prints a seq only after AppendAsync
/// returned it, so every seq the spec reads was acknowledged and must be in the journal exactly once.
/// </summary>
public sealed class CrashSpecs(ITestOutputHelper output)
{
    private const int WritersPerRound = 3;

    [Fact]
    public async Task Every_acknowledged_append_survives_writers_killed_at_random_moments()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        var acknowledged = new Dictionary<ulong, (int Writer, int N)>();

        for (var round = 0; round < 8; round++)
        {
            // Act: three writers, each with its own concurrency, some buffered, killed one by one at random moments.
            var arguments = Enumerable.Range(0, WritersPerRound).Select(w =>
            {
                var args = new List<string> { "append", temp.Path, $"{(round * 10) + w}", $"{random.Next(1, 6)}" };
                if (random.Next(3) == 0)
                {
                    args.Add("--buffered");
                }

                if (random.Next(2) == 0)
                {
                    args.AddRange(["--pad", "6000"]); // commits of many pages: a kill can land inside the write
                }

                if (w == 0)
                {
                    args.AddRange(["--tear", "3"]); // and this one dies mid-write by itself
                }

                return args.ToArray();
            }).ToList();
            var killDelays = Enumerable.Range(0, WritersPerRound).Select(_ => random.Next(0, 250)).ToList();
            var acks = await RunAndKillAsync(arguments, killDelays);

            // Assert
            foreach (var (seq, writer, n) in acks)
            {
                Assert.True(acknowledged.TryAdd(seq, (writer, n)), $"seq {seq} was acknowledged twice (seed {seed}, round {round})");
            }

            await AssertJournalHoldsAsync(temp, acknowledged, $"seed {seed}, round {round}");
        }

        // Appending works again afterwards, right after the last acknowledged record's successors.
        await using var journal = await temp.OpenAsync();
        var last = (await journal.Reader.ReadLastAsync(1)).Single().Seq;
        Assert.Equal(last + 1, await journal.AppendAsync(Entries.Numbered(1)));
        await AssertJournalHoldsAsync(temp, acknowledged, $"seed {seed}, after the rounds");
        Assert.True(acknowledged.Count > 50, $"only {acknowledged.Count} appends were acknowledged in all rounds (seed {seed})");
        var stats = await journal.Reader.GetStatsAsync();
        output.WriteLine($"seed {seed}: {acknowledged.Count} acknowledged appends, {stats.Records} records, {stats.TailRepairs} torn tails cut off");
    }

    [Fact]
    public async Task Rotation_and_retention_by_killed_writers_lose_no_acknowledged_append_that_retention_kept()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var temp = new TempJournal();
        await (await temp.OpenAsync()).DisposeAsync();
        var acknowledged = new Dictionary<ulong, (int Writer, int N)>();

        for (var round = 0; round < 5; round++)
        {
            var arguments = Enumerable.Range(0, WritersPerRound).Select(w => new[]
            {
                "append", temp.Path, $"{(round * 10) + w}", $"{random.Next(1, 4)}",
                "--segment-bytes", "8192", "--max-segments", "4", "--prune-every", "25", "--pad", "200", "--tear", w == 0 ? "3" : "0",
            }).ToList();
            var killDelays = Enumerable.Range(0, WritersPerRound).Select(_ => random.Next(50, 400)).ToList();
            var acks = await RunAndKillAsync(arguments, killDelays);
            foreach (var (seq, writer, n) in acks)
            {
                Assert.True(acknowledged.TryAdd(seq, (writer, n)), $"seq {seq} was acknowledged twice (seed {seed}, round {round})");
            }

            await AssertJournalHoldsAsync(temp, acknowledged, $"seed {seed}, round {round}");
        }

        Assert.True(temp.Segments().Count <= 5, $"{temp.Segments().Count} segments: retention did not run");
        var stats = await temp.Reader().GetStatsAsync();
        output.WriteLine($"seed {seed}: {acknowledged.Count} acknowledged appends, last seq {stats.LastSeq}, {stats.Segments.Count} segments kept, {stats.TornFiles.Count} torn tails cut off");
    }

    /// <summary>Starts the writers, waits until all of them have acknowledged something, and kills each after its delay.</summary>
    private static async Task<List<(ulong Seq, int Writer, int N)>> RunAndKillAsync(List<string[]> arguments, List<int> killDelays)
    {
        var writers = new List<CrashWriterProcess>();
        try
        {
            foreach (var args in arguments)
            {
                writers.Add(CrashWriterProcess.Start(args));
            }

            await Task.WhenAll(writers.Select(w => w.WaitForAckOrExitAsync()));
            await Task.WhenAll(writers.Select(async (writer, i) =>
            {
                await Task.Delay(killDelays[i]);
                await writer.KillAsync();
            }));

            return writers.SelectMany(w => w.Acks()).ToList();
        }
        finally
        {
            foreach (var writer in writers)
            {
                writer.Dispose();
            }
        }
    }

    /// <summary>Every acknowledged seq retention kept is there once with its writer's data; seqs are continuous; verify passes.</summary>
    private static async Task AssertJournalHoldsAsync(TempJournal temp, Dictionary<ulong, (int Writer, int N)> acknowledged, string context)
    {
        var report = new JournalReadReport();
        var records = await temp.Reader(ReadMode.Strict).ReadAsync(report: report).ToListAsync();
        var bySeq = records.ToDictionary(r => r.Seq);
        var firstKept = records.Count == 0 ? ulong.MaxValue : records[0].Seq;

        for (var i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].Seq == records[i - 1].Seq + 1, $"seq {records[i].Seq} follows {records[i - 1].Seq} ({context})");
        }

        foreach (var (seq, (writer, n)) in acknowledged.Where(a => a.Key >= firstKept))
        {
            Assert.True(bySeq.TryGetValue(seq, out var record), $"acknowledged seq {seq} (writer {writer}, append {n}) is missing ({context})");
            var data = record.Data!.Value;
            Assert.True(data.GetProperty("writer").GetInt32() == writer && data.GetProperty("n").GetInt32() == n,
                $"seq {seq} holds writer {data.GetProperty("writer")} append {data.GetProperty("n")}, but writer {writer} append {n} was acknowledged with it ({context})");
        }

        var appends = records.Where(r => r.Type == "crash.append").Select(r => (r.Data!.Value.GetProperty("writer").GetInt32(), r.Data!.Value.GetProperty("n").GetInt32())).ToList();
        Assert.True(appends.Count == appends.Distinct().Count(), $"an append was written twice ({context})");

        var verify = await temp.Reader().VerifyAsync();
        Assert.True(verify.IsValid, $"{verify} ({context})");
        Assert.True(report.IsClean, context);
    }
}
