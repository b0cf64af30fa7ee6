using System.Text;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>The program's output reaches tether's own unchanged; tether's stdin reaches the program when redirected.</summary>
public sealed class StreamingSpecs
{
    /// <summary>
    /// A shell script that says whether its stdout is the same file as its parent's (tether's) stdout. <c>$$</c> is the
    /// shell itself even inside a command substitution, whose own stdout is a pipe of the shell's.
    /// </summary>
    private const string SameStdoutAsTether =
        "if [ \"$(readlink /proc/$$/fd/1)\" = \"$(readlink /proc/$PPID/fd/1)\" ]; then echo \"tether's own stdout\"; else echo \"a stream of tether's\"; fi";

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
    public async Task When_nothing_needs_to_see_stdout_the_program_writes_to_tethers_own_stdout_directly()
    {
        // Tether's stdout is a pipe here; the program's stdout is that very pipe (the same file as its parent's, tether's
        // fd 1), not a pipe of tether's.
        var result = await Tool.RunChildAsync(["run", "--", "/bin/sh", "-c", $"{SameStdoutAsTether}; printf 'no line break'"], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("tether's own stdout\nno line break", result.Stdout);
    }

    [Fact]
    public async Task When_tether_must_see_stdout_the_program_writes_to_tether_which_passes_it_on()
    {
        var result = await Tool.RunChildAsync(["run", "--json", "--", "/bin/sh", "-c", SameStdoutAsTether], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("a stream of tether's\n", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_idle_timeout_the_program_writes_into_a_pipe_of_tethers_which_the_kernel_passes_on()
    {
        // The idle timeout needs to know only that output happened: the program gets a pipe of its own (not tether's
        // stdout, nor a socket), whose bytes are spliced on to tether's stdout.
        var script = "if [ -p /dev/stdout ]; then echo pipe; fi; if [ \"$(readlink /proc/self/fd/1)\" != \"$(readlink /proc/$PPID/fd/1)\" ]; then echo not-tethers; fi; printf 'no line break'";

        var result = await Tool.RunChildAsync(["run", "--idle-timeout", "1m", "--", "/bin/sh", "-c", script], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("pipe\nnot-tethers\nno line break", result.Stdout);
    }

    [Fact]
    public async Task With_an_idle_timeout_every_byte_arrives_up_to_the_tail_written_just_before_the_exit()
    {
        var result = await Tool.RunChildAsync(["run", "--idle-timeout", "1m", "--", "/bin/sh", "-c", "head -c 5000000 /dev/zero | tr '\\0' x; printf 'the tail'; exit 5"], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.Equal(5000000 + "the tail".Length, result.Stdout.Length);
        Assert.EndsWith("xthe tail", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task With_an_idle_timeout_a_program_that_goes_silent_is_stopped_and_its_output_so_far_arrives()
    {
        var result = await Tool.RunChildAsync(["run", "--idle-timeout", "1s", "--", "/bin/sh", "-c", "echo started; exec sleep 600"], new Dictionary<string, string?>());

        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Equal("started\n", result.Stdout);
        Assert.Contains("without output", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_idle_timeout_a_program_writing_to_a_pipe_nobody_reads_ends_by_sigpipe_without_a_stack_trace()
    {
        var result = await Tool.RunProgramAsync("/bin/sh", ["-c", $"{{ '{Tool.Executable}' run --idle-timeout 1m -- yes; echo \"exit $?\" >&2; }} | head -n 2"], new Dictionary<string, string?>());

        Assert.Equal("y\ny\n", result.Stdout);
        Assert.Equal("exit 141", result.Stderr.Trim());
    }

    [Fact]
    public async Task With_an_idle_timeout_output_appended_to_a_file_arrives_after_what_the_file_held()
    {
        // The kernel does not splice into a file opened for appending; tether copies instead.
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "log");
        await File.WriteAllTextAsync(path, "before\n");

        var result = await Tool.RunProgramAsync("/bin/sh", ["-c", $"'{Tool.Executable}' run --idle-timeout 1m -- seq 1 20000 >> '{path}'"], new Dictionary<string, string?>());

        var lines = await File.ReadAllLinesAsync(path);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["before", .. Enumerable.Range(1, 20000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], lines);
    }

    [Fact]
    public async Task A_program_writing_straight_to_a_pipe_nobody_reads_ends_by_sigpipe_and_tether_exits_as_it_did()
    {
        // yes writes to tether's own stdout; head reads two lines and goes away. The shell reports tether's exit code.
        var result = await Tool.RunProgramAsync("/bin/sh", ["-c", $"{{ '{Tool.Executable}' run -- yes; echo \"exit $?\" >&2; }} | head -n 2"], new Dictionary<string, string?>());

        Assert.Equal("y\ny\n", result.Stdout);
        Assert.Equal("exit 141", result.Stderr.Trim());
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
