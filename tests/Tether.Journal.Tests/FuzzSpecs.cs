namespace Tether.Journaling.Tests;

/// <summary>
/// Every journal reader, and the writer's open (which reads the tail to repair it), against seeded mutations of a
/// real journal's segment. None may crash (anything but a <see cref="JournalException"/>), hang, or silently lose a
/// record: every record whose line ends before the first changed byte is still returned by a tolerant read, also
/// after a writer has opened the journal and appended to it. <c>TETHER_FUZZ_ITERATIONS</c> runs longer.
/// </summary>
public sealed class FuzzSpecs
{
    private const int BaseSeed = 11_000;

    [Fact]
    public async Task Mutated_segments_never_crash_hang_or_silently_lose_a_record_before_the_damage()
    {
        // Arrange: two segments, with records of every shape (job, data with text, escapes and non-ASCII).
        using var template = new TempJournal();
        await using (var journal = await template.OpenAsync(new JournalOptions { SegmentMaxBytes = 4096 }))
        {
            for (var i = 0; i < 40; i++)
            {
                var data = new System.Text.Json.Nodes.JsonObject
                {
                    ["n"] = i,
                    ["text"] = i % 3 == 0 ? "é \"q\" \\ ☃ \u0001" : "plain",
                    ["list"] = new System.Text.Json.Nodes.JsonArray(1, 2),
                };
                await journal.AppendAsync(new JournalEntry(i % 2 == 0 ? "spec.event" : "spec.other", i % 4 == 0 ? "job-" + i : null, data));
            }
        }

        var segments = template.Segments();
        Assert.True(segments.Count >= 2, "the template has more than one segment");
        var original = await template.Reader().ReadAsync().ToListAsync();

        var iterations = SeededMutator.Iterations(ciDefault: 150);
        for (var i = 0; i < iterations; i++)
        {
            var seed = BaseSeed + i;
            var target = segments[seed % 2 == 0 ? ^1 : 0];
            using var copy = new TempJournal();
            CopyJournal(template.Path, copy.Path);
            var bytes = SeededMutator.Mutate(File.ReadAllBytes(copy.SegmentPath(target)), seed, out var firstChanged);
            File.WriteAllBytes(copy.SegmentPath(target), bytes);

            // Records wholly before the damage (and every record of the other segments) must survive.
            var kept = original
                .Where(r => r.Segment != target || r.Offset + r.Utf8Line.Length + 1 <= firstChanged)
                .Select(r => r.Seq)
                .ToHashSet();

            var tolerant = new JournalReader(copy.Path, new JournalReaderOptions { Mode = ReadMode.Tolerant });
            var strict = new JournalReader(copy.Path);
            Expect(seed, () => ReadAll(tolerant, kept, seed));
            Expect(seed, () => _ = tolerant.VerifyAsync().GetAwaiter().GetResult().ToString());
            Expect(seed, () => _ = tolerant.GetStatsAsync().GetAwaiter().GetResult());
            Expect(seed, () => _ = tolerant.ReadLastAsync(5).GetAwaiter().GetResult());
            Expect(seed, () => _ = strict.ReadAsync().ToListAsync().GetAwaiter().GetResult(), typedErrorsAllowed: true);
            Expect(seed, () => _ = strict.ReadLastAsync(5).GetAwaiter().GetResult(), typedErrorsAllowed: true);

            // The writer repairs a torn tail; it may refuse damage it will not cut, but never with anything untyped,
            // and never by cutting a record that was whole.
            var opened = true;
            Expect(seed, () =>
            {
                try
                {
                    var journal = Journal.OpenAsync(copy.Path).GetAwaiter().GetResult();
                    try
                    {
                        journal.AppendAsync(new JournalEntry("spec.after")).GetAwaiter().GetResult();
                    }
                    finally
                    {
                        journal.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    }
                }
                catch (JournalException)
                {
                    opened = false;
                    throw;
                }
            }, typedErrorsAllowed: true);
            if (opened)
            {
                Expect(seed, () => ReadAll(tolerant, kept, seed));
            }
        }
    }

    private static void ReadAll(JournalReader reader, HashSet<ulong> kept, int seed)
    {
        var report = new JournalReadReport();
        var read = reader.ReadAsync(report: report).ToListAsync().GetAwaiter().GetResult();
        foreach (var record in read)
        {
            _ = record.Data; // materialising the payload must not throw either
            _ = record.ToJson();
        }

        var missing = kept.Except(read.Select(r => r.Seq)).Order().ToList();
        Assert.True(missing.Count == 0, $"seed {seed}: records before the damage were not returned: {string.Join(", ", missing)}; problems: {string.Join("; ", report.Problems)}");
    }

    private static void Expect(int seed, Action read, bool typedErrorsAllowed = false)
    {
        var error = SeededMutator.Read(seed, read);
        if (error is null || (typedErrorsAllowed && error is JournalException))
        {
            return;
        }

        if (error is Xunit.Sdk.XunitException)
        {
            throw error;
        }

        Assert.Fail($"seed {seed}: the reader threw {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
    }

    private static void CopyJournal(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }
}
