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
}
