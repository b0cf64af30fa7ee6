namespace Tether.Tests;

/// <summary>A run whose program writes straight to this process's own stdout, bypassing Tether.</summary>
public sealed class InheritedStdoutSpecs
{
    [Fact]
    public async Task The_program_writes_to_this_processs_own_stdout_and_nothing_of_it_is_captured()
    {
        // Arrange: the identity (device and inode) of our own stdout, as a program started the usual way sees it.
        var ours = (await ProcessRunner.Default.OutputStringAsync(Shell.Command($"stat -L -c %d:%i /proc/{Environment.ProcessId}/fd/1"))).Stdout.Trim();

        // Act: the program reports, on stderr, what its stdout is (kept as descriptor 4 while stat writes to stderr).
        var result = await ProcessRunner.Default.OutputStringAsync(
            Shell.Command("exec 4>&1; stat -L -c %d:%i /dev/fd/4 >&2; exit 3").WithInheritedStdout());

        // Assert
        Assert.Equal(ours, result.Stderr.Trim());
        Assert.Equal("", result.Stdout);
        Assert.Equal(new Outcome.Exited(3), result.Outcome);
    }

    [Fact]
    public async Task The_stdout_lines_of_a_run_with_an_inherited_stdout_end_at_once()
    {
        await using var process = await ProcessRunner.Default.StartAsync(Shell.Command("echo to-stderr >&2").WithInheritedStdout());

        var stdout = await process.StdoutLines().ToListAsync().AsTask().Soon();
        var stderr = await process.StderrLines().ToListAsync().AsTask().Soon();

        Assert.Empty(stdout);
        Assert.Equal(["to-stderr"], stderr);
    }

    public static TheoryData<string, Func<Command, Command>> WhatNeedsToSeeStdout => new()
    {
        { "stdout tees", command => command.WithStdoutTee(Stream.Null) },
        { "stdout line handlers", command => command.WithStdoutLineHandler(_ => { }) },
        { "an idle timeout", command => command.WithIdleTimeout(TimeSpan.FromMinutes(1)) },
        { "a pseudo-terminal", command => command.WithPseudoTerminal() },
    };

    [Theory]
    [MemberData(nameof(WhatNeedsToSeeStdout))]
    public async Task An_inherited_stdout_is_refused_with_what_needs_to_see_it(string what, Func<Command, Command> add)
    {
        var command = add(new Command("/bin/true").WithInheritedStdout());

        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(command));

        Assert.Contains($"is inherited, so it never passes through Tether, but {what} needs to see it", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_detached_process_refuses_an_inherited_stdout()
    {
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => ProcessRunner.Default.StartDetachedAsync(new Command("/bin/true").WithInheritedStdout()));

        Assert.Contains("an inherited stdout", error.Message, StringComparison.Ordinal);
    }
}
