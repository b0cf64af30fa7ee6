using System.Text;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>The program's output reaches tether's own unchanged; tether's stdin reaches the program when redirected.</summary>
public sealed class StreamingSpecs
{
    [Fact]
    public async Task Stdout_and_stderr_reach_tethers_own_byte_for_byte()
    {
        var result = await Tool.RunAsync("run", "--", "/bin/sh", "-c", @"printf 'a\r\nb\tc\0d'; printf 'to stderr' >&2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("a\r\nb\tc\0d", result.Stdout);
        Assert.Equal("to stderr", result.Stderr);
    }

    [Fact]
    public async Task Output_of_any_size_is_streamed_without_being_kept()
    {
        const int bytes = 8 * 1024 * 1024;

        var result = await Tool.RunAsync(Dummy.Run("spew", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(bytes, Encoding.UTF8.GetByteCount(result.Stdout));
    }

    [Fact]
    public async Task A_redirected_stdin_is_forwarded_to_the_program()
    {
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes("line one\nline two\n"));

        var result = await Tool.RunAsync(Dummy.Run("cat"), stdin);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("line one\nline two\n", result.Stdout);
    }

    [Fact]
    public async Task Without_a_redirected_stdin_the_program_reads_end_of_file_at_once()
    {
        var result = await Tool.RunAsync(Dummy.Run("count-stdin"), stdin: null);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("0", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public async Task A_stdin_pipe_that_nobody_closes_does_not_hold_the_run_after_the_program_exits()
    {
        // An ssh session or a CI step may hand tether a stdin that never ends; the program here does not read it.
        // (EndToEndSpecs does the same with a real pipe.)
        using var stdin = new EndlessInput();

        var result = await Tool.RunAsync(Dummy.Run("exit", "4"), stdin);

        Assert.Equal(4, result.ExitCode);
    }

    /// <summary>A stdin whose reads block until it is disposed, like a pipe whose writer never writes nor closes.</summary>
    private sealed class EndlessInput : Stream
    {
        private readonly ManualResetEventSlim _closed = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            _closed.Wait();
            return 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // Release the blocked read; the event itself is left to the finalizer, since a read may still be waiting on it.
            _closed.Set();
            base.Dispose(disposing);
        }
    }
}
