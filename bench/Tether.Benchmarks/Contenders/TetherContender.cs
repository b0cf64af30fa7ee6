namespace Tether.Benchmarks.Contenders;

/// <summary>Tether's verbs, with the containment under test.</summary>
internal static class TetherContender
{
    /// <summary>Runs the program (output captured, as Tether always does) and returns its exit code.</summary>
    public static Task<int> ExitCodeAsync(ContainmentMode mode, string program, params string[] arguments) =>
        ProcessRunner.Default.ExitCodeAsync(new Command(program).WithArguments(arguments).WithContainment(mode));

    /// <summary>Runs the program and returns its stdout decoded as UTF-8.</summary>
    public static async Task<string> OutputStringAsync(ContainmentMode mode, string program, params string[] arguments)
    {
        var result = await ProcessRunner.Default
            .OutputStringAsync(new Command(program).WithArguments(arguments).WithContainment(mode))
            .ConfigureAwait(false);
        return result.Stdout;
    }

    /// <summary>Feeds <paramref name="input"/> on stdin and returns stdout as bytes.</summary>
    public static async Task<byte[]> OutputBytesAsync(ContainmentMode mode, string program, ReadOnlyMemory<byte> input, long outputLimit)
    {
        var command = new Command(program)
            .WithStdin(StandardInput.FromBytes(input))
            .WithOutputLimit(outputLimit)
            .WithContainment(mode);
        var result = await ProcessRunner.Default.OutputBytesAsync(command).ConfigureAwait(false);
        return result.Stdout;
    }

    /// <summary>
    /// Copies the program's stdout into <paramref name="destination"/> as it arrives (a tee, as <c>tether run</c> does
    /// when it must see the output) and keeps only a small tail; returns the exit code.
    /// </summary>
    public static Task<int> PassthroughAsync(ContainmentMode mode, Stream destination, string program, params string[] arguments) =>
        ProcessRunner.Default.ExitCodeAsync(new Command(program).WithArguments(arguments).WithContainment(mode)
            .WithStdoutTee(destination).WithOutputLimit(new OutputLimit(4096, OverflowPolicy.KeepNewest)));

    /// <summary>
    /// Reads stdout line by line as it arrives (<c>StdoutLines</c>); returns how many lines. The lines are the point,
    /// so the run keeps only a small tail of the bytes, as a caller who streams would ask.
    /// </summary>
    public static async Task<int> CountLinesAsync(ContainmentMode mode, string program, params string[] arguments)
    {
        var command = new Command(program).WithArguments(arguments).WithContainment(mode).WithOutputLimit(new OutputLimit(4096, OverflowPolicy.KeepNewest));
        await using var process = await ProcessRunner.Default.StartAsync(command).ConfigureAwait(false);
        var count = 0;
        await foreach (var _ in process.StdoutLines().ConfigureAwait(false))
        {
            count++;
        }

        await process.WaitBytesAsync().ConfigureAwait(false);
        return count;
    }
}
