namespace Tether.Tests;

public sealed class StreamingSpecs
{
    [Fact]
    public async Task I_can_read_stdout_lines_while_the_program_is_still_running()
    {
        // Arrange: the program prints a line, then waits for us before it can finish.
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("echo first; read reply; echo \"second after $reply\"").WithStdin(StandardInput.Interactive));
        await using var lines = process.StdoutLines().GetAsyncEnumerator();

        // Act
        Assert.True(await lines.MoveNextAsync().AsTask().Soon());
        var first = lines.Current;
        var runningAfterFirstLine = !process.HasExited;
        await process.WriteStdinLineAsync("go");
        Assert.True(await lines.MoveNextAsync().AsTask().Soon());
        var second = lines.Current;
        var more = await lines.MoveNextAsync().AsTask().Soon();

        // Assert
        Assert.Equal("first", first);
        Assert.True(runningAfterFirstLine);
        Assert.Equal("second after go", second);
        Assert.False(more);
    }

    [Fact]
    public async Task I_can_read_stderr_lines()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "3", "--stderr"));

        var lines = await process.StderrLines().ToListAsync().AsTask().Soon();

        Assert.Equal(["line 1", "line 2", "line 3"], lines);
    }

    [Fact]
    public async Task Events_tell_the_start_every_line_of_both_streams_in_order_and_the_exit_last()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "3", "--both"));

        // Act
        var events = await process.Events().ToListAsync().AsTask().Soon();

        // Assert
        Assert.Equal(new ProcessEvent.Started(process.Pid, process.Mechanism), events[0]);
        Assert.Equal(new ProcessEvent.Exited(new Outcome.Exited(0)), events[^1]);
        Assert.Equal(["line 1", "line 2", "line 3"], events.OfType<ProcessEvent.StdoutLine>().Select(e => e.Text));
        Assert.Equal(["line 1", "line 2", "line 3"], events.OfType<ProcessEvent.StderrLine>().Select(e => e.Text));
        Assert.Equal(8, events.Count);
    }

    [Fact]
    public async Task A_line_stream_can_be_taken_only_once()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo hi"));

        _ = process.StdoutLines();
        _ = process.StderrLines();
        _ = process.Events();

        Assert.Throws<InvalidOperationException>(() => process.StdoutLines());
        Assert.Throws<InvalidOperationException>(() => process.StderrLines());
        Assert.Throws<InvalidOperationException>(() => process.Events());
    }

    [Fact]
    public async Task A_reader_that_keeps_up_gets_every_line_in_order_even_beyond_the_buffer()
    {
        // Arrange: more lines than the 4096-line buffer, read with pauses so that backpressure is needed.
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000"));
        var received = new List<string>();

        // Act
        await foreach (var line in process.StdoutLines())
        {
            received.Add(line);
            if (received.Count % 2000 == 0)
            {
                await Task.Delay(100);
            }
        }

        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => $"line {i}"), received);
        Assert.Equal(0, process.DroppedLines);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    [Fact]
    public async Task Lines_nobody_reads_never_hold_the_program_back()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000", "--both"));

        // Act: read nothing.
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.Equal(10_000, result.Stdout.Count(c => c == '\n'));
        Assert.Equal(0, process.DroppedLines); // nobody took a stream, so no reader missed a line
    }

    [Fact]
    public async Task Taking_only_stdout_lines_while_both_streams_flood_counts_no_drops_for_the_streams_nobody_took()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000", "--both"));

        // Act
        var lines = await process.StdoutLines().ToListAsync().AsTask().Soon();
        await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => $"line {i}"), lines);
        Assert.Equal(0, process.DroppedStdoutLines);
        Assert.Equal(0, process.DroppedStderrLines);
        Assert.Equal(0, process.DroppedEvents);
        Assert.Equal(0, process.DroppedLines);
    }

    [Fact]
    public async Task A_stream_taken_after_the_run_gets_its_last_4096_lines_and_counts_the_ones_it_missed()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000", "--both"));
        await process.WaitAsync().Soon();

        // Act
        var lines = await process.StdoutLines().ToListAsync().AsTask().Soon();

        // Assert: the backlog kept the newest 4096 stdout lines; the reader missed the 5904 before them.
        Assert.Equal(Enumerable.Range(5905, 4096).Select(i => $"line {i}"), lines);
        Assert.Equal(5904, process.DroppedStdoutLines);
        Assert.Equal(0, process.DroppedStderrLines);
        Assert.Equal(5904, process.DroppedLines);
        Assert.Equal(0, process.DroppedEvents);
    }

    [Fact]
    public async Task Events_taken_after_the_run_end_with_the_exit_and_count_every_event_they_missed()
    {
        // Arrange
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000", "--both"));
        await process.WaitAsync().Soon();

        // Act
        var events = await process.Events().ToListAsync().AsTask().Soon();

        // Assert: of the start, 20000 lines and the exit, the queue holds the newest 4096; the rest are counted.
        Assert.Equal(4096, events.Count);
        Assert.Equal(new ProcessEvent.Exited(new Outcome.Exited(0)), events[^1]);
        Assert.Equal(new ProcessEvent.StdoutLine("line 10000"), events.Last(e => e is ProcessEvent.StdoutLine));
        Assert.Equal(new ProcessEvent.StderrLine("line 10000"), events.Last(e => e is ProcessEvent.StderrLine));
        Assert.Equal(1 + 20_000 + 1 - 4096, process.DroppedEvents);
        Assert.Equal(0, process.DroppedLines);
    }

    [Fact]
    public async Task Reading_only_stdout_lines_while_stderr_floods_does_not_deadlock()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("flood-stderr", "4000000", "then-stdout", "done"));

        var lines = await process.StdoutLines().ToListAsync().AsTask().Soon();

        Assert.Equal(["done"], lines);
    }
}
