using CliWrap;
using CliWrap.Buffered;

namespace Tether.Benchmarks.Contenders;

/// <summary>
/// CliWrap used as its documentation shows, with validation off so that every contender treats the exit code as data.
/// CliWrap redirects all three streams and drains them whatever targets are given, so it does the same work as Tether.
/// </summary>
internal static class CliWrapContender
{
    /// <summary>Runs the program (outputs drained into the null target) and returns its exit code.</summary>
    public static async Task<int> ExitCodeAsync(string program, params string[] arguments)
    {
        var result = await Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .ExecuteAsync().ConfigureAwait(false);
        return result.ExitCode;
    }

    /// <summary>Runs the program and returns its stdout decoded as UTF-8 (<c>ExecuteBufferedAsync</c>).</summary>
    public static async Task<string> OutputStringAsync(string program, params string[] arguments)
    {
        var result = await Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync().ConfigureAwait(false);
        return result.StandardOutput;
    }

    /// <summary>
    /// Pipes <paramref name="input"/> in and stdout into a <see cref="MemoryStream"/> pre-sized to
    /// <paramref name="expectedLength"/>; when the output filled it exactly, its buffer is the answer (no copy).
    /// </summary>
    public static async Task<byte[]> OutputBytesAsync(string program, byte[] input, int expectedLength)
    {
        var captured = new MemoryStream(expectedLength);
        await Cli.Wrap(program).WithValidation(CommandResultValidation.None)
            .WithStandardInputPipe(PipeSource.FromBytes(input))
            .WithStandardOutputPipe(PipeTarget.ToStream(captured))
            .ExecuteAsync().ConfigureAwait(false);
        return captured.Length == captured.Capacity ? captured.GetBuffer() : captured.ToArray();
    }

    /// <summary>Copies the program's stdout into <paramref name="destination"/> as it arrives; returns the exit code.</summary>
    public static async Task<int> PassthroughAsync(Stream destination, string program, params string[] arguments)
    {
        var result = await Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStream(destination))
            .ExecuteAsync().ConfigureAwait(false);
        return result.ExitCode;
    }

    /// <summary>Hands every stdout line to a delegate as it arrives (<c>PipeTarget.ToDelegate</c>); returns how many.</summary>
    public static async Task<int> CountLinesAsync(string program, params string[] arguments)
    {
        var count = 0;
        await Cli.Wrap(program).WithArguments(arguments).WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(_ => count++))
            .ExecuteAsync().ConfigureAwait(false);
        return count;
    }
}
