using System.Text;

namespace Tether.Tests;

public sealed class LineHandlerSpecs
{
    [Fact]
    public async Task A_stdout_line_handler_sees_every_line_in_order()
    {
        // Arrange
        var lines = new List<string>();
        var command = Dummy.Command("lines", "1000").WithStdoutLineHandler(lines.Add);

        // Act
        await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => $"line {i}"), lines);
    }

    [Fact]
    public async Task A_stderr_line_handler_sees_every_stderr_line_and_no_stdout_line()
    {
        // Arrange
        var lines = new List<string>();
        var command = Shell.Command("echo out; echo err1 >&2; echo err2 >&2").WithStderrLineHandler(lines.Add);

        // Act
        await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal(["err1", "err2"], lines);
    }

    [Fact]
    public async Task Several_handlers_each_see_every_line()
    {
        // Arrange
        var first = new List<string>();
        var second = new List<string>();
        var command = Shell.Command("echo a; echo b").WithStdoutLineHandler(first.Add).WithStdoutLineHandler(second.Add);

        // Act
        await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal(["a", "b"], first);
        Assert.Equal(["a", "b"], second);
    }

    [Fact]
    public async Task Handlers_work_on_a_started_process_too_and_the_line_streams_still_get_every_line()
    {
        // Arrange
        var handled = new List<string>();
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo a; echo b").WithStdoutLineHandler(handled.Add));

        // Act
        var streamed = await process.StdoutLines().ToListAsync().AsTask().Soon();
        await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(["a", "b"], handled);
        Assert.Equal(["a", "b"], streamed);
    }

    [Fact]
    public async Task A_tee_receives_every_stdout_byte_as_it_arrives_and_stays_open()
    {
        // Arrange
        using var tee = new MemoryStream();
        var command = Dummy.Command("spew", "300000").WithStdoutTee(tee);

        // Act
        var result = await ProcessRunner.Default.OutputBytesAsync(command).Soon();

        // Assert
        Assert.Equal(result.Stdout, tee.ToArray());
        Assert.Equal(300_000, tee.Length);
        Assert.True(tee.CanWrite, "Tether does not dispose a tee");
    }

    [Fact]
    public async Task A_stderr_tee_receives_stderr_only()
    {
        // Arrange
        using var tee = new MemoryStream();
        var command = Shell.Command("echo out; echo err >&2").WithStderrTee(tee);

        // Act
        await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal("err\n", Encoding.UTF8.GetString(tee.ToArray()));
    }

    [Fact]
    public async Task A_tee_that_fails_stops_receiving_but_the_run_and_its_capture_go_on()
    {
        // Arrange
        await using var broken = new BrokenStream();
        var command = Shell.Command("echo one; echo two").WithStdoutTee(broken);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command);

        // Assert
        Assert.Equal("one\ntwo\n", result.Stdout);
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("the disk is full");

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new IOException("the disk is full"));
    }
}
