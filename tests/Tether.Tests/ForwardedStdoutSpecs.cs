using System.Globalization;
using System.IO.Pipes;
using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;
using Tether.Interop;
using Tether.Output;

namespace Tether.Tests;

/// <summary>
/// A run whose stdout is forwarded to a descriptor by the kernel (<see cref="Command.WithStdoutForwardedTo"/>): every
/// byte arrives, an idle timeout still sees output happen, a destination that goes away gives the program SIGPIPE, and
/// where the kernel cannot splice into the destination the bytes are copied instead.
/// </summary>
public sealed class ForwardedStdoutSpecs : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-forwarded-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_byte_the_program_writes_reaches_the_destination_and_none_is_captured(bool forceCopy)
    {
        // Arrange: 3 MiB in writes of every size, then a tail without a line break written just before the exit.
        var path = Path.Combine(_directory, "out");
        using var destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        var command = Shell.Command("head -c 3145728 /dev/zero | tr '\\0' x; printf 'the tail'; exit 3").WithStdoutForwardedTo(destination);
        StdoutForwarder.ForceCopy.Value = forceCopy;
        var copied = new StrongBox<bool>();
        StdoutForwarder.CopiedProbe.Value = copied;

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(3), result.Outcome);
        Assert.Equal("", result.Stdout);
        var written = await File.ReadAllTextAsync(path);
        Assert.Equal(3145728 + "the tail".Length, written.Length);
        Assert.EndsWith("xxthe tail", written, StringComparison.Ordinal);
        Assert.Equal(forceCopy, copied.Value);
    }

    [Fact]
    public async Task The_program_writes_into_a_pipe_of_tethers_not_into_the_destination()
    {
        // Arrange: a destination the program would recognise by its identity (device and inode).
        var path = Path.Combine(_directory, "out");
        using var destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        var file = (await ProcessRunner.Default.OutputStringAsync(Shell.Command($"stat -L -c %d:%i '{path}'"))).Stdout.Trim();

        // Act: the program tells, on stderr, whether its stdout is a pipe and what it is.
        var result = await ProcessRunner.Default.OutputStringAsync(
            Shell.Command("exec 4>&1; if [ -p /dev/fd/4 ]; then echo pipe >&2; fi; stat -L -c %d:%i /dev/fd/4 >&2").WithStdoutForwardedTo(destination)).Soon();

        // Assert
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("pipe", lines[0]);
        Assert.NotEqual(file, lines[1]);
    }

    [Fact]
    public async Task A_destination_opened_for_appending_gets_the_bytes_by_copy_after_what_it_held()
    {
        // Arrange: the kernel refuses to splice into an O_APPEND file (EINVAL).
        var path = Path.Combine(_directory, "log");
        await File.WriteAllTextAsync(path, "before\n");
        using var destination = Libc.Open(path, OpenFlags.WriteOnly | OpenFlags.Append | OpenFlags.CloseOnExec, 0);
        Assert.False(destination.IsInvalid);
        var copied = new StrongBox<bool>();
        StdoutForwarder.CopiedProbe.Value = copied;

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(Shell.Command("seq 1 50000").WithStdoutForwardedTo(destination)).Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(["before", .. Enumerable.Range(1, 50000).Select(i => i.ToString(CultureInfo.InvariantCulture))], lines);
        Assert.True(copied.Value, "the kernel spliced into an O_APPEND file, so the copy fallback was not exercised");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_destination_nobody_reads_any_more_ends_the_program_by_sigpipe(bool forceCopy)
    {
        // Arrange: a pipe whose reader is gone at once.
        var server = new AnonymousPipeServerStream(PipeDirection.In);
        using var client = server.ClientSafePipeHandle;
        server.Dispose();
        using var writeEnd = new SafeFileHandle(client.DangerousGetHandle(), ownsHandle: false);
        StdoutForwarder.ForceCopy.Value = forceCopy;

        // Act: yes writes forever unless its writes fail.
        var result = await ProcessRunner.Default.OutputStringAsync(new Command("yes").WithStdoutForwardedTo(writeEnd).WithTimeout(Bounds.Eventually)).Soon();

        // Assert
        Assert.Equal(new Outcome.Signalled(Signal.Pipe), result.Outcome);
    }

    [Fact]
    public async Task A_program_silent_for_longer_than_the_idle_timeout_is_stopped()
    {
        // Arrange
        var path = Path.Combine(_directory, "out");
        using var destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(Shell.Command("echo hello; exec sleep 600").WithIdleTimeout(Idle).WithStdoutForwardedTo(destination));
        Assert.True(await Bounds.EventuallyAsync(() => File.ReadAllText(path) == "hello\n"));

        // Act
        var result = await clock.AdvanceUntilAsync(process.WaitAsync(), TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(new Outcome.TimedOut(TimeoutKind.Idle, Idle), result.Outcome);
        Assert.True(result.Duration >= Idle, $"stopped after {result.Duration}");
        Assert.Equal("hello\n", await File.ReadAllTextAsync(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Output_forwarded_by_the_kernel_restarts_the_idle_timeout(bool forceCopy)
    {
        // Arrange: cat answers each line we write, so output happens exactly when we decide.
        var path = Path.Combine(_directory, "out");
        using var destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        StdoutForwarder.ForceCopy.Value = forceCopy;
        var clock = VirtualClock.Create();
        await using var process = await new ProcessRunner(clock).StartAsync(
            new Command("cat").WithStdin(StandardInput.Interactive).WithIdleTimeout(Idle).WithStdoutForwardedTo(destination));

        // Act: five times, output, then 6 s of silence: 30 s in all, but never 10 s without output.
        for (var i = 1; i <= 5; i++)
        {
            await process.WriteStdinLineAsync($"tick {i}");
            var expected = string.Concat(Enumerable.Range(1, i).Select(n => $"tick {n}\n"));
            Assert.True(await Bounds.EventuallyAsync(() => File.ReadAllText(path) == expected), $"tick {i} was not forwarded");
            clock.Advance(TimeSpan.FromSeconds(6));
        }

        await process.CloseStdinAsync();
        var result = await process.WaitAsync().Soon();

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
        Assert.True(clock.Elapsed() >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_process_that_escaped_the_tree_and_holds_the_pipe_does_not_hold_the_run()
    {
        // Arrange: in a process group, setsid takes the sleeper out of the tree's reach; it keeps the pipe open.
        using var leftovers = new Leftovers();
        var path = Path.Combine(_directory, "out");
        using var destination = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
        var command = Shell.Command("setsid sleep 600 & echo $! >&2").WithContainment(ContainmentMode.ProcessGroup).WithStdoutForwardedTo(destination);

        // Act
        var result = await ProcessRunner.Default.OutputStringAsync(command).Soon();
        leftovers.TrackIfAlive(int.Parse(result.Stderr.Trim(), CultureInfo.InvariantCulture));

        // Assert
        Assert.Equal(new Outcome.Exited(0), result.Outcome);
    }

    public static TheoryData<string, Func<Command, Command>> WhatCannotBeCombined => new()
    {
        { "stdout tees", command => command.WithStdoutTee(Stream.Null) },
        { "stdout line handlers", command => command.WithStdoutLineHandler(_ => { }) },
        { "an inherited stdout", command => command.WithInheritedStdout() },
        { "a pseudo-terminal", command => command.WithPseudoTerminal() },
    };

    [Theory]
    [MemberData(nameof(WhatCannotBeCombined))]
    public async Task A_forwarded_stdout_is_refused_with_what_needs_to_see_the_bytes(string what, Func<Command, Command> add)
    {
        using var destination = new SafeFileHandle(1, ownsHandle: false);
        var command = add(new Command("/bin/true").WithStdoutForwardedTo(destination));

        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(command));

        Assert.Contains($"is forwarded by the kernel, so it never passes through Tether, but {what} cannot be combined with that", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closed_destination_is_refused_when_the_command_is_built()
    {
        var closed = File.OpenHandle(Path.Combine(_directory, "gone"), FileMode.CreateNew, FileAccess.Write);
        closed.Dispose();

        var error = Assert.Throws<ArgumentException>(() => new Command("/bin/true").WithStdoutForwardedTo(closed));

        Assert.Equal("destination", error.ParamName);
    }
}
