using System.Diagnostics;

namespace Tether.Benchmarks.Contenders;

/// <summary>
/// The baseline: <see cref="System.Diagnostics.Process"/> used the way a careful caller would to get the same work done
/// as Tether (all three streams redirected, stdin closed at once, both outputs drained concurrently, exit awaited).
/// </summary>
internal static class ProcessContender
{
    /// <summary>Runs the program with redirected, drained streams and returns its exit code.</summary>
    public static async Task<int> ExitCodeAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stdout.ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>Runs the program without any redirection (the child inherits our stdio): the floor of what spawning costs.</summary>
    public static async Task<int> ExitCodeInheritedAsync(string program)
    {
        using var process = Process.Start(new ProcessStartInfo(program) { UseShellExecute = false })!;
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>Runs the program and returns its stdout decoded as UTF-8 (stderr is drained too).</summary>
    public static async Task<string> OutputStringAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        return await stdout.ConfigureAwait(false);
    }

    /// <summary>
    /// Feeds <paramref name="input"/> to the program's stdin while copying its stdout into a <see cref="MemoryStream"/>,
    /// both on raw streams (no text decoding), and returns stdout as a byte array like Tether's <c>OutputBytesAsync</c>.
    /// </summary>
    public static async Task<byte[]> OutputBytesAsync(string program, ReadOnlyMemory<byte> input, int copyBufferSize, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        var stdinStream = process.StandardInput.BaseStream;
        var feed = Task.Run(async () =>
        {
            await stdinStream.WriteAsync(input).ConfigureAwait(false);
            await stdinStream.DisposeAsync().ConfigureAwait(false);
        });
        var captured = new MemoryStream();
        var stdout = process.StandardOutput.BaseStream.CopyToAsync(captured, copyBufferSize);
        var stderr = process.StandardError.ReadToEndAsync();
        await stdout.ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        await feed.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return captured.ToArray();
    }

    private static ProcessStartInfo StartInfo(string program, string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
