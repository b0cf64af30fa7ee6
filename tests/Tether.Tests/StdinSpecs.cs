using System.Text;

namespace Tether.Tests;

public sealed class StdinSpecs
{
    [Fact]
    public async Task By_default_a_program_reads_an_empty_stdin_and_never_waits_for_input()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat")).Soon();

        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task I_can_give_a_program_text_on_stdin()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithStdin("first line\nsecond ünï ✓\n"));

        Assert.Equal("first line\nsecond ünï ✓\n", result.Stdout);
    }

    [Fact]
    public async Task I_can_give_a_program_bytes_on_stdin_and_they_arrive_byte_for_byte()
    {
        // Arrange
        var bytes = Enumerable.Range(0, 256 * 64).Select(i => (byte)(i * 7)).ToArray();

        // Act
        var result = await ProcessRunner.Default.OutputBytesAsync(Dummy.Command("cat").WithStdin(StandardInput.FromBytes(bytes)));

        // Assert
        Assert.Equal(bytes, result.Stdout);
    }

    [Fact]
    public async Task I_can_give_a_program_a_file_on_stdin()
    {
        var path = Path.GetTempFileName();
        try
        {
            // Arrange
            await File.WriteAllTextAsync(path, "from a file\n");

            // Act
            var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithStdin(StandardInput.FromFile(path)));

            // Assert
            Assert.Equal("from a file\n", result.Stdout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_stdin_file_that_does_not_exist_fails_the_run_loudly()
    {
        // Arrange
        var path = Path.Combine(Path.GetTempPath(), "tether-specs-missing-" + Guid.NewGuid().ToString("N"));
        var command = new Command("cat").WithStdin(StandardInput.FromFile(path));

        // Act
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ProcessRunner.Default.OutputStringAsync(command));

        // Assert: not an empty stdin in silence, but an error that names the file.
        Assert.True(error is TetherException or FileNotFoundException, error.ToString());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task I_can_give_a_program_a_stream_on_stdin()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("from a stream\n"));

        var result = await ProcessRunner.Default.OutputStringAsync(new Command("cat").WithStdin(StandardInput.FromStream(stream)));

        Assert.Equal("from a stream\n", result.Stdout);
    }

    [Fact]
    public async Task A_stream_on_stdin_can_be_used_by_one_run_only()
    {
        // Arrange
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("once\n"));
        var command = new Command("cat").WithStdin(StandardInput.FromStream(stream));
        await ProcessRunner.Default.OutputStringAsync(command);

        // Act & Assert
        await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessRunner.Default.OutputStringAsync(command));
    }

    [Fact]
    public async Task I_can_give_a_program_lines_from_an_async_source_on_stdin()
    {
        var command = new Command("cat").WithStdin(StandardInput.FromLines(Lines("alpha", "beta", "ünï ✓")));

        var result = await ProcessRunner.Default.OutputStringAsync(command);

        Assert.Equal("alpha\nbeta\nünï ✓\n", result.Stdout);
    }

    [Fact]
    public async Task A_line_source_on_stdin_can_be_used_by_one_run_only()
    {
        // Arrange
        var command = new Command("cat").WithStdin(StandardInput.FromLines(Lines("once")));
        await ProcessRunner.Default.OutputStringAsync(command);

        // Act & Assert
        await Assert.ThrowsAsync<InvalidOperationException>(() => ProcessRunner.Default.OutputStringAsync(command));
    }

    [Fact]
    public async Task A_large_stdin_and_a_large_stdout_flow_at_the_same_time_without_deadlock()
    {
        // Arrange: more than any pipe buffer in both directions, so writing all of stdin before reading stdout would hang.
        var bytes = new byte[4 * 1024 * 1024];
        new Random(42).NextBytes(bytes);

        // Act
        var result = await ProcessRunner.Default.OutputBytesAsync(Dummy.Command("cat").WithStdin(StandardInput.FromBytes(bytes))).Soon();

        // Assert
        Assert.Equal(bytes.Length, result.Stdout.Length);
        Assert.True(bytes.AsSpan().SequenceEqual(result.Stdout));
    }

    [Fact]
    public async Task A_program_that_ignores_its_stdin_is_not_an_error()
    {
        var command = Shell.Command("exit 0").WithStdin(StandardInput.FromBytes(new byte[1024 * 1024]));

        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task I_can_write_to_stdin_while_the_program_runs_and_close_it()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(new Command("cat").WithStdin(StandardInput.Interactive));
        await using var lines = process.StdoutLines().GetAsyncEnumerator();

        // Act
        await process.WriteStdinLineAsync("hello");
        Assert.True(await lines.MoveNextAsync().AsTask().Soon());
        var echoed = lines.Current;
        await process.WriteStdinAsync("ünï ✓\n");
        await process.CloseStdinAsync();
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal("hello", echoed);
        Assert.Equal("hello\nünï ✓\n", result.Stdout);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task Writing_to_a_program_that_closed_its_stdin_throws_ProcessIOException()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("exec 0<&-; echo closed; exec sleep 600").WithStdin(StandardInput.Interactive));
        await process.WaitForLineAsync(l => l == "closed", Bounds.Eventually);

        // Act & Assert
        await Assert.ThrowsAsync<ProcessIOException>(() => process.WriteStdinLineAsync("anyone there?").AsTask());
    }

    [Fact]
    public async Task Closing_an_interactive_stdin_twice_is_harmless_and_writing_after_the_close_is_refused()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(new Command("cat").WithStdin(StandardInput.Interactive));

        // Act
        await process.CloseStdinAsync();
        await process.CloseStdinAsync();

        // Assert
        await Assert.ThrowsAsync<InvalidOperationException>(() => process.WriteStdinLineAsync("too late").AsTask());
        Assert.Equal(new Outcome.Exited(0), (await process.WaitAsync().Soon()).Outcome);
    }

    [Fact]
    public async Task Writing_to_a_stdin_that_is_not_interactive_is_refused()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => process.WriteStdinLineAsync("hello").AsTask());
    }

    private static async IAsyncEnumerable<string> Lines(params string[] lines)
    {
        foreach (var line in lines)
        {
            await Task.Yield();
            yield return line;
        }
    }
}
