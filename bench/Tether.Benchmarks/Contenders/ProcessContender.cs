using System.Diagnostics;

namespace Tether.Benchmarks.Contenders;

/// <summary>
/// The baseline: <see cref="System.Diagnostics.Process"/> used the way a careful caller would to get the same work done
/// as Tether (all three streams redirected, stdin closed at once, both outputs drained concurrently, exit awaited).
/// Each method says why it is what a careful caller writes: the ratios in docs/benchmarks.md are only as honest as
/// this baseline.
/// </summary>
internal static class ProcessContender
{
    /// <summary>
    /// Runs the program with redirected, drained streams and returns its exit code. Careful: both outputs are read
    /// concurrently from the start (reading one after the other deadlocks on a full pipe), and the exit is awaited
    /// asynchronously.
    /// </summary>
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

    /// <summary>
    /// Runs the program and returns its stdout decoded as UTF-8 (stderr is drained too). Careful: <c>ReadToEndAsync</c>
    /// on both readers at once, the one-call way the runtime offers, with no per-line events or string building.
    /// </summary>
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
    /// Feeds <paramref name="input"/> to the program's stdin while reading its stdout, both on raw streams (no text
    /// decoding), and returns stdout as a byte array like Tether's <c>OutputBytesAsync</c>. Careful: stdout is read
    /// straight into one array of <paramref name="expectedLength"/> bytes, and the end of the stream is then checked
    /// with a read into a small scratch buffer; when the output has exactly that length (as here), that array is the
    /// answer, so no byte is copied after the kernel's own copy. Only an output of another length costs growth or a
    /// final trim.
    /// </summary>
    public static async Task<byte[]> OutputBytesAsync(string program, ReadOnlyMemory<byte> input, int expectedLength, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        var stdinStream = process.StandardInput.BaseStream;
        var feed = Task.Run(async () =>
        {
            await stdinStream.WriteAsync(input).ConfigureAwait(false);
            await stdinStream.DisposeAsync().ConfigureAwait(false);
        });
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.BaseStream;
        var buffer = GC.AllocateUninitializedArray<byte>(expectedLength);
        var length = await ReadIntoAsync(stdout, buffer, 0).ConfigureAwait(false);
        if (length == buffer.Length)
        {
            var scratch = new byte[4096];
            int more;
            while ((more = await stdout.ReadAsync(scratch).ConfigureAwait(false)) > 0)
            {
                // Longer than expected: grow and go on (not the case measured here).
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, 4096));
                scratch.AsSpan(0, more).CopyTo(buffer.AsSpan(length));
                length = await ReadIntoAsync(stdout, buffer, length + more).ConfigureAwait(false);
                if (length < buffer.Length)
                {
                    break;
                }
            }
        }

        await stderr.ConfigureAwait(false);
        await feed.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// Copies the program's stdout into <paramref name="destination"/> as it arrives and returns the exit code. Careful:
    /// the raw stream is copied (no decoding) with a 64 KiB buffer, the pipe's own capacity; stderr is drained too.
    /// </summary>
    public static async Task<int> PassthroughAsync(Stream destination, string program, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.BaseStream.CopyToAsync(destination, 64 * 1024).ConfigureAwait(false);
        await stderr.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    /// <summary>
    /// Reads stdout line by line as it arrives and returns how many lines there were. Careful: <c>ReadLineAsync</c> on
    /// the redirected reader (one string per line, like every contender's line API) rather than
    /// <c>OutputDataReceived</c>, whose event dispatch costs more per line; stderr is drained concurrently.
    /// </summary>
    public static async Task<int> CountLinesAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(program, arguments))!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var count = 0;
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is not null)
        {
            count++;
        }

        await stderr.ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        return count;
    }

    /// <summary>Reads into <paramref name="buffer"/> from <paramref name="length"/> until it is full or the stream ends; returns the bytes in it.</summary>
    private static async Task<int> ReadIntoAsync(Stream stream, byte[] buffer, int length)
    {
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length)).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length;
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
