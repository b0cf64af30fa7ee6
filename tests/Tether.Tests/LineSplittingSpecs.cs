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
