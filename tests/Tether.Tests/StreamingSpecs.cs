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
    public async Task Events_read_while_both_streams_flood_keep_every_line_of_each_stream_in_order()
    {
        // Arrange: far more lines than the 4096-event buffer, so lines arrive in many batches from both pumps at once.
        await using var process = await ProcessRunner.Default.StartAsync(Dummy.Command("lines", "10000", "--both"));

        // Act
        var events = await process.Events().ToListAsync().AsTask().Soon();

        // Assert
        var expected = Enumerable.Range(1, 10_000).Select(i => $"line {i}");
        Assert.Equal(expected, events.OfType<ProcessEvent.StdoutLine>().Select(e => e.Text));
        Assert.Equal(expected, events.OfType<ProcessEvent.StderrLine>().Select(e => e.Text));
        Assert.IsType<ProcessEvent.Started>(events[0]);
        Assert.IsType<ProcessEvent.Exited>(events[^1]);
        Assert.Equal(20_002, events.Count);
        Assert.Equal(0, process.DroppedEvents);
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

    [Fact]
    public async Task A_stream_taken_after_the_run_gets_a_final_line_without_a_line_break()
    {
        // Arrange: nobody takes the lines while the program runs, so they are kept as bytes until the take.
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("printf 'one\\r\\ntwo\\nthree'"));
        await process.WaitAsync().Soon();

        // Act
        var lines = await process.StdoutLines().ToListAsync().AsTask().Soon();

        // Assert
        Assert.Equal(["one", "two", "three"], lines);
        Assert.Equal(0, process.DroppedLines);
    }

    [Fact]
    public async Task Events_taken_after_the_run_keep_the_order_in_which_lines_of_both_streams_arrived()
    {
        // Arrange: the pauses let each line reach tether before the next is written.
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("echo o1; sleep 0.3; echo e1 >&2; sleep 0.3; echo o2; sleep 0.3; echo e2 >&2; sleep 0.3; echo o3"));
        await process.WaitAsync().Soon();

        // Act
        var events = await process.Events().ToListAsync().AsTask().Soon();

        // Assert
        var lines = events.Select(e => e switch
        {
            ProcessEvent.StdoutLine line => "out " + line.Text,
            ProcessEvent.StderrLine line => "err " + line.Text,
            _ => null,
        }).OfType<string>();
        Assert.Equal(["out o1", "err e1", "out o2", "err e2", "out o3"], lines);
        Assert.Equal(0, process.DroppedEvents);
    }

    [Fact]
    public async Task A_line_stream_taken_while_the_program_runs_continues_where_the_kept_output_ends()
    {
        // Arrange: a line is half written when the stream is taken (the file says the half was written; the pause
        // lets tether read it, unsplit, before the take).
        var directory = Directory.CreateTempSubdirectory("tether-streaming-");
        try
        {
            var written = Path.Combine(directory.FullName, "written");
            await using var process = await ProcessRunner.Default.StartAsync(
                Shell.Command($"echo first; printf 'sec'; touch '{written}'; read reply; echo \"ond $reply\"; echo last").WithStdin(StandardInput.Interactive));
            await process.WaitForFileAsync(written, TimeSpan.FromSeconds(30)).Soon();
            await Task.Delay(200);

            // Act
            await using var lines = process.StdoutLines().GetAsyncEnumerator();
            Assert.True(await lines.MoveNextAsync().AsTask().Soon());
            var first = lines.Current;
            await process.WriteStdinLineAsync("go");
            var rest = new List<string>();
            while (await lines.MoveNextAsync().AsTask().Soon())
            {
                rest.Add(lines.Current);
            }

            // Assert
            Assert.Equal("first", first);
            Assert.Equal(["second go", "last"], rest);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Output_without_line_breaks_that_nobody_reads_is_kept_bounded_and_its_newest_part_is_given_as_pieces()
    {
        // Arrange: 40 MB on one line; nobody takes the stream while it runs.
        await using var process = await ProcessRunner.Default.StartAsync(
            Shell.Command("head -c 40000000 /dev/zero | tr '\\0' x").WithOutputLimit(new OutputLimit(1024, OverflowPolicy.KeepNewest)));
        await process.WaitAsync().Soon();

        // Act
        var pieces = await process.StdoutLines().ToListAsync().AsTask().Soon();

        // Assert: the newest 16 MiB or so (whole reads) were kept, not all 40 MB; a piece is cut once it reaches
        // 1 Mi chars, so it is at most that plus one read (64 KiB).
        var kept = pieces.Sum(piece => (long)piece.Length);
        Assert.InRange(kept, 16L * 1024 * 1024, (16L * 1024 * 1024) + (1024 * 1024));
        Assert.All(pieces, piece => Assert.InRange(piece.Length, 1, (1024 * 1024) + (64 * 1024)));
        Assert.All(pieces, piece => Assert.True(piece.AsSpan().IndexOfAnyExcept('x') < 0));
    }
}
