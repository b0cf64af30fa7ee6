using Tether.IO;
using Tether.Journaling.Internal;

namespace Tether.Journaling.Tests;

public sealed class RotationSpecs
{
    private static readonly JournalOptions SmallSegments = new() { SegmentMaxBytes = 4096 };

    [Fact]
    public async Task A_new_segment_starts_when_the_next_record_would_make_the_current_one_too_large()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);

        await journal.AppendManyAsync(150);

        var segments = journal.Reader.ListSegments();
        Assert.True(segments.Count >= 3, $"{segments.Count} segments");
        Assert.All(segments, s => Assert.InRange(s.Bytes, 1, 4096));
        Assert.Equal(segments.Count - 1, journal.Counters.Rotations);
    }

    [Fact]
    public async Task Each_segment_is_named_after_its_first_seq()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(150);

        var verify = await journal.Reader.VerifyAsync();

        Assert.True(verify.IsValid, verify.ToString());
        Assert.All(verify.Segments, s => Assert.Equal(s.FirstSeqByName, s.FirstSeq));
        Assert.Equal(JournalLayout.SegmentName(1), verify.Segments[0].Name);
    }

    [Fact]
    public async Task Rotation_never_renames_or_rewrites_a_segment()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendManyAsync(10);
        var firstPath = temp.SegmentPath(temp.Segments()[0]);
        var identity = DurableFile.TryStat(firstPath)!.Value;
        var content = File.ReadAllBytes(firstPath);

        await journal.AppendManyAsync(150);

        var after = DurableFile.TryStat(firstPath)!.Value;
        Assert.True(after.SameFileAs(identity));
        Assert.Equal(content, File.ReadAllBytes(firstPath).AsSpan(0, content.Length).ToArray());
    }

    [Fact]
    public async Task One_commit_larger_than_a_segment_is_split_across_segments()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        Task<ulong>[] appends;
        using (HeldLock.On(temp.Path))
        {
            appends = Enumerable.Range(0, 120).Select(i => journal.AppendAsync(Entries.Numbered(i))).ToArray();
        }

        await Task.WhenAll(appends).Soon();

        Assert.Equal(1, journal.Counters.Commits);
        Assert.True(journal.Counters.Rotations >= 2);
        Assert.All(journal.Reader.ListSegments(), s => Assert.InRange(s.Bytes, 1, 4096));
        Assert.True((await journal.Reader.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_record_larger_than_a_segment_gets_a_segment_of_its_own()
    {
        using var temp = new TempJournal();
        await using var journal = await temp.OpenAsync(SmallSegments);
        await journal.AppendAsync(Entries.Numbered(1));

        await journal.AppendAsync(new JournalEntry("spec.big", null, new System.Text.Json.Nodes.JsonObject { ["text"] = new string('x', 6000) }));
        await journal.AppendAsync(Entries.Numbered(3));

        var segments = journal.Reader.ListSegments();
        Assert.Equal(3, segments.Count);
        Assert.True(segments[1].Bytes > 6000);
        Assert.Equal([1ul, 2, 3], segments.Select(s => s.FirstSeq));
    }
}
