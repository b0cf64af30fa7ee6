using System.Text;

namespace Tether.Tests;

public sealed class OutputCaptureSpecs
{
    private static readonly string TwentyThousandLines = string.Concat(Enumerable.Range(1, 20_000).Select(i => $"line {i}\n"));

    [Fact]
    public async Task I_get_stdout_and_stderr_captured_separately()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo out; echo err >&2"));

        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.False(result.Truncated);
    }

    [Fact]
    public async Task A_program_can_open_dev_stdout_and_dev_stderr_by_name()
    {
        // Scripts write to /dev/stdout and /dev/stderr by name; that open(2) works on a pipe, not on a socket.
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("echo out > /dev/stdout; echo err > /dev/stderr")).Soon();

        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
        Assert.True(result.IsSuccess);
    }

    [Fact]
    public async Task A_large_output_is_captured_completely()
    {
        var result = await ProcessRunner.Default.OutputBytesAsync(Dummy.Command("spew", "8000000")).Soon();

        Assert.Equal(8_000_000, result.Stdout.Length);
        Assert.Equal(100_000, result.Stdout.Count(b => b == '\n'));
        Assert.False(result.StdoutTruncated);
    }

    [Fact]
    public async Task A_large_binary_output_is_captured_byte_for_byte_through_growing_chunks()
    {
        // Arrange: 24 MiB of varied bytes (not a repeating pattern a chunk mix-up could hide), echoed by cat.
        var input = new byte[24 * 1024 * 1024];
        new Random(12).NextBytes(input);

        // Act
        var result = await ProcessRunner.Default.OutputBytesAsync(Dummy.Command("cat").WithStdin(StandardInput.FromBytes(input))).Soon();

        // Assert
        Assert.True(input.AsSpan().SequenceEqual(result.Stdout));
        Assert.False(result.StdoutTruncated);
    }

    [Theory]
    [InlineData(3_000_000, false)]
    [InlineData(2_999_999, true)]
    public async Task A_large_output_at_or_past_a_limit_that_is_no_multiple_of_a_read_is_judged_to_the_byte(int limit, bool overflows)
    {
        var command = Dummy.Command("spew", "3000000").WithOutputLimit(limit, OverflowPolicy.Error);

        var run = ProcessRunner.Default.OutputBytesAsync(command).Soon();

        if (overflows)
        {
            await Assert.ThrowsAsync<OutputTooLargeException>(() => run);
        }
        else
        {
            Assert.Equal(3_000_000, (await run).Stdout.Length);
        }
    }

    [Fact]
    public async Task Stdout_beyond_the_limit_stops_the_run_with_OutputTooLargeException_under_the_Error_policy()
    {
        // Arrange: yes never stops by itself, so the run only ends if Tether stops the tree.
        var command = new Command("yes").WithOutputLimit(64 * 1024, OverflowPolicy.Error);

        // Act
        var error = await Assert.ThrowsAsync<OutputTooLargeException>(() => ProcessRunner.Default.OutputStringAsync(command).Soon());

        // Assert
        Assert.Equal("stdout", error.Stream);
        Assert.Equal(64 * 1024, error.Limit);
    }

    [Fact]
    public async Task Stderr_beyond_the_limit_stops_the_run_with_OutputTooLargeException_under_the_Error_policy()
    {
        var command = Shell.Command("exec yes >&2").WithOutputLimit(new OutputLimit(64 * 1024, OverflowPolicy.Error));

        var error = await Assert.ThrowsAsync<OutputTooLargeException>(() => ProcessRunner.Default.OutputStringAsync(command).Soon());

        Assert.Equal("stderr", error.Stream);
    }

    [Fact]
    public async Task KeepOldest_keeps_the_first_bytes_reads_the_rest_and_says_it_truncated()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("lines", "20000").WithOutputLimit(100, OverflowPolicy.KeepOldest)).Soon();

        Assert.Equal(TwentyThousandLines[..100], result.Stdout);
        Assert.True(result.StdoutTruncated);
        Assert.True(result.Truncated);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task KeepNewest_keeps_the_last_bytes_and_says_it_truncated()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("lines", "20000").WithOutputLimit(100, OverflowPolicy.KeepNewest)).Soon();

        Assert.Equal(TwentyThousandLines[^100..], result.Stdout);
        Assert.True(result.StdoutTruncated);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task KeepNewest_on_a_long_output_keeps_exactly_the_last_bytes_across_chunk_boundaries()
    {
        // 200 KB through a 100 000-byte window: the kept bytes span several internal chunks.
        var result = await ProcessRunner.Default.OutputStringAsync(Dummy.Command("lines", "20000").WithOutputLimit(100_000, OverflowPolicy.KeepNewest)).Soon();

        Assert.Equal(TwentyThousandLines[^100_000..], result.Stdout);
        Assert.True(result.StdoutTruncated);
    }

    [Fact]
    public async Task The_limit_applies_to_stderr_on_its_own()
    {
        var command = Dummy.Command("lines", "20000", "--stderr").WithOutputLimit(100, OverflowPolicy.KeepNewest);

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.Equal(TwentyThousandLines[^100..], result.Stderr);
        Assert.True(result.StderrTruncated);
        Assert.False(result.StdoutTruncated);
    }

    [Fact]
    public async Task Output_exactly_at_the_limit_is_not_truncated()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("printf 12345").WithOutputLimit(5, OverflowPolicy.Error));

        Assert.Equal("12345", result.Stdout);
        Assert.False(result.Truncated);
    }

    [Fact]
    public async Task A_program_that_writes_past_the_limit_and_exits_at_once_always_fails_the_run()
    {
        // The child is often reaped before the pump reads the excess; the overflow must fail the run all the same.
        for (var i = 0; i < 20; i++)
        {
            var error = await Assert.ThrowsAsync<OutputTooLargeException>(
                () => ProcessRunner.Default.OutputStringAsync(Shell.Command("printf 123456").WithOutputLimit(5, OverflowPolicy.Error)).Soon());
            Assert.Equal("stdout", error.Stream);
        }
    }

    [Fact]
    public async Task Output_and_text_input_use_the_commands_encoding()
    {
        // Arrange: "é" is one byte, E9, in Latin-1 (and two in UTF-8).
        var command = Dummy.Command("cat").WithEncoding(Encoding.Latin1).WithStdin("café\n");

        // Act
        var bytes = await ProcessRunner.Default.OutputBytesAsync(command);
        var text = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal([(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\n'], bytes.Stdout);
        Assert.Equal("café\n", text.Stdout);
    }

    [Fact]
    public void A_limit_must_be_at_least_one_byte()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutputLimit(0, OverflowPolicy.KeepNewest));
    }
}
