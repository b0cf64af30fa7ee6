namespace Tether.Cli.Tests;

/// <summary>Sizes of memory are read the way people write them: 512M, 1G, 1.5G, 64KiB, or bytes.</summary>
public sealed class SizeParsingSpecs
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("512K", 512L * 1024)]
    [InlineData("512M", 512L * 1024 * 1024)]
    [InlineData("512m", 512L * 1024 * 1024)]
    [InlineData("1G", 1024L * 1024 * 1024)]
    [InlineData("1.5G", 1536L * 1024 * 1024)]
    [InlineData("2T", 2L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("64KiB", 64L * 1024)]
    [InlineData("64KB", 64L * 1024)]
    [InlineData("100B", 100L)]
    [InlineData(" 8M ", 8L * 1024 * 1024)]
    public void A_size_is_a_number_with_an_optional_binary_unit(string text, long bytes) =>
        Assert.Equal(bytes, Sizes.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("12Q")]
    [InlineData("-1M")]
    [InlineData("1.2.3M")]
    [InlineData("1 G B")]
    [InlineData("iB")]
    [InlineData("5iB")]
    public void Anything_else_is_refused_with_what_to_write(string text)
    {
        var error = Assert.Throws<FormatException>(() => Sizes.Parse(text));

        Assert.Contains($"'{text}' is not a size", error.Message, StringComparison.Ordinal);
        Assert.Contains("512M", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_size_too_large_to_count_is_refused()
    {
        var error = Assert.Throws<FormatException>(() => Sizes.Parse("99999999999T"));

        Assert.Contains("too large", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(512L * 1024 * 1024, "512M")]
    [InlineData(1024L * 1024 * 1024, "1G")]
    [InlineData(1536L * 1024, "1536K")]
    [InlineData(1000L, "1000")]
    public void A_size_is_written_back_in_its_largest_whole_unit(long bytes, string text)
    {
        Assert.Equal(text, Sizes.Format(bytes));
        Assert.Equal(bytes, Sizes.Parse(text));
    }
}
