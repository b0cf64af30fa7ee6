namespace Tether.Tests;

public sealed class LineSplittingSpecs
{
    [Fact]
    public async Task Lines_end_at_a_newline_which_is_not_part_of_the_line()
    {
        Assert.Equal(["one", "two", "three"], await StdoutLinesOf(Shell.Command(@"printf 'one\ntwo\nthree\n'")));
    }

    [Fact]
    public async Task A_carriage_return_before_the_newline_is_not_part_of_the_line()
    {
        Assert.Equal(["a", "b", "c"], await StdoutLinesOf(Dummy.Command("crlf")));
    }

    [Fact]
    public async Task A_last_line_without_a_newline_is_still_a_line()
    {
        Assert.Equal(["one", "two"], await StdoutLinesOf(Shell.Command(@"printf 'one\ntwo'")));
    }

    [Fact]
    public async Task Empty_lines_are_kept()
    {
        Assert.Equal(["one", "", "", "four"], await StdoutLinesOf(Shell.Command(@"printf 'one\n\n\nfour\n'")));
    }

    [Fact]
    public async Task A_carriage_return_inside_a_line_is_kept()
    {
        Assert.Equal(["a\rb"], await StdoutLinesOf(Shell.Command(@"printf 'a\rb\n'")));
    }

    [Fact]
    public async Task A_character_split_across_two_writes_is_decoded_whole()
    {
        // ✓ is E2 9C 93 in UTF-8; the pause makes the two halves arrive separately.
        Assert.Equal(["✓ done"], await StdoutLinesOf(Shell.Command(@"printf '\342\234'; sleep 0.2; printf '\223 done\n'")));
    }

    [Fact]
    public async Task Invalid_UTF8_becomes_replacement_characters_and_the_lines_around_it_stay_whole()
    {
        Assert.Equal(["ok", "\uFFFD\uFFFD bad", "after"], await StdoutLinesOf(Shell.Command(@"printf 'ok\n\377\376 bad\nafter\n'")));
    }

    [Fact]
    public async Task A_line_longer_than_a_read_arrives_whole()
    {
        var lines = await StdoutLinesOf(Shell.Command("head -c 300000 /dev/zero | tr '\\0' x; echo; echo next"));

        Assert.Equal(2, lines.Count);
        Assert.Equal(new string('x', 300_000), lines[0]);
        Assert.Equal("next", lines[1]);
    }

    [Fact]
    public async Task A_last_line_without_a_newline_after_many_lines_arrives_last_and_whole()
    {
        // Arrange: the program starts writing once the lines are taken, so the reader gets every one.
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("read go; seq 1 20000; printf 'the tail'").WithStdin(StandardInput.Interactive));
        var reading = process.StdoutLines().ToListAsync().AsTask();

        // Act
        await process.WriteStdinLineAsync("go");
        var lines = await reading.Soon();

        // Assert
        Assert.Equal([.. Enumerable.Range(1, 20_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), "the tail"], lines);
        Assert.Equal(0, process.DroppedStdoutLines);
    }

    [Fact]
    public async Task Line_handlers_split_lines_the_same_way_when_output_is_only_captured()
    {
        // Arrange
        var lines = new List<string>();
        var command = Dummy.Command("crlf").WithStdoutLineHandler(lines.Add);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal(["a", "b", "c"], lines);
        Assert.Equal("a\r\nb\r\nc", result.Stdout);
    }

    private static async Task<List<string>> StdoutLinesOf(Command command)
    {
        await using var process = await ProcessRunner.Default.StartAsync(command);
        return await process.StdoutLines().ToListAsync().AsTask().Soon();
    }
}
