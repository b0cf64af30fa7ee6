using System.Text;
using Tether.Text;

namespace Tether.Journaling.Tests;

public sealed class Utf8TextSpecs
{
    [Fact]
    public void Text_within_the_budget_is_returned_unchanged()
    {
        Assert.Equal("short", Utf8Text.Cut("short", 100));
        var exact = new string('é', 50); // 100 bytes
        Assert.Same(exact, Utf8Text.Cut(exact, 100));
    }

    [Theory]
    [InlineData(nameof(CutKeep.Head))]
    [InlineData(nameof(CutKeep.Tail))]
    [InlineData(nameof(CutKeep.HeadAndTail))]
    public void Long_text_is_cut_within_the_budget_never_inside_a_character_and_says_how_much_was_left_out(string keepName)
    {
        // CutKeep is internal (the source is shared by the journal and the core), so the cases name it.
        var keep = Enum.Parse<CutKeep>(keepName);
        // Arrange: 1-, 2-, 3- and 4-byte characters, so that every cut point can fall inside one.
        var text = string.Concat(Enumerable.Repeat("aé€😀", 500)); // 10 bytes per repeat
        for (var budget = 60; budget < 200; budget++)
        {
            // Act
            var cut = Utf8Text.Cut(text, budget, keep);

            // Assert
            var bytes = Encoding.UTF8.GetByteCount(cut);
            Assert.InRange(bytes, budget - 8, budget);
            Assert.DoesNotContain('\uFFFD', cut);
            Assert.True(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(cut)) == cut);
            var ellipses = keep == CutKeep.HeadAndTail ? 2 : 1;
            var keptBytes = bytes - Encoding.UTF8.GetByteCount(MarkerIn(cut)) - (3 * ellipses);
            Assert.True(keptBytes > 0);
            Assert.Equal(Utf8Text.Marker(5000 - keptBytes), MarkerIn(cut));
        }
    }

    [Fact]
    public void Each_mode_keeps_its_part_and_puts_the_marker_where_text_is_missing()
    {
        var text = "BEGIN" + new string('.', 1000) + "END";

        Assert.StartsWith("BEGIN", Utf8Text.Cut(text, 100, CutKeep.Head), StringComparison.Ordinal);
        Assert.EndsWith("bytes]", Utf8Text.Cut(text, 100, CutKeep.Head), StringComparison.Ordinal);
        Assert.EndsWith("END", Utf8Text.Cut(text, 100, CutKeep.Tail), StringComparison.Ordinal);
        Assert.StartsWith("[cut ", Utf8Text.Cut(text, 100, CutKeep.Tail), StringComparison.Ordinal);
        var both = Utf8Text.Cut(text, 100, CutKeep.HeadAndTail);
        Assert.StartsWith("BEGIN", both, StringComparison.Ordinal);
        Assert.EndsWith("END", both, StringComparison.Ordinal);
        Assert.Contains("…[cut ", both, StringComparison.Ordinal);
    }

    [Fact]
    public void Raw_output_bytes_are_cut_at_a_boundary_and_invalid_bytes_become_replacement_characters()
    {
        var bytes = Encoding.UTF8.GetBytes(new string('€', 100)).Concat(new byte[] { 0xFF, 0xFE }).ToArray();

        var cut = Utf8Text.Cut(bytes, 64);
        var whole = Utf8Text.Cut(new byte[] { (byte)'o', (byte)'k', 0xFF }, 64);

        Assert.StartsWith("€€€", cut, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', cut);
        Assert.Equal("ok\uFFFD", whole);
    }

    [Fact]
    public void A_budget_too_small_for_the_marker_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Utf8Text.Cut("x", Utf8Text.MinBudget - 1));
    }

    private static string MarkerIn(string cut)
    {
        var start = cut.IndexOf("[cut ", StringComparison.Ordinal);
        return cut[start..(cut.IndexOf(" bytes]", start, StringComparison.Ordinal) + 7)];
    }
}
