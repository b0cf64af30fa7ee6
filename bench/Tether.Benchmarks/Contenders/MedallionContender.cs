using MedallionCommand = Medallion.Shell.Command;

namespace Tether.Benchmarks.Contenders;

/// <summary>MedallionShell with its defaults (stdin redirected, stdout and stderr redirected and buffered).</summary>
internal static class MedallionContender
{
    /// <summary>Runs the program and returns its exit code.</summary>
    public static async Task<int> ExitCodeAsync(string program, params object[] arguments)
    {
        var command = MedallionCommand.Run(program, arguments);
        command.StandardInput.Dispose();
        var result = await command.Task.ConfigureAwait(false);
        return result.ExitCode;
    }

    /// <summary>Runs the program and returns its buffered stdout.</summary>
    public static async Task<string> OutputStringAsync(string program, params object[] arguments)
    {
        var command = MedallionCommand.Run(program, arguments);
        command.StandardInput.Dispose();
        var result = await command.Task.ConfigureAwait(false);
        return result.StandardOutput;
    }

    /// <summary>
    /// Pipes <paramref name="input"/> in and stdout out to a <see cref="MemoryStream"/> pre-sized to
    /// <paramref name="expectedLength"/>; when the output filled it exactly, its buffer is the answer (no copy).
    /// </summary>
    public static async Task<byte[]> OutputBytesAsync(string program, byte[] input, int expectedLength)
    {
        var captured = new MemoryStream(expectedLength);
        var command = MedallionCommand.Run(program).RedirectFrom(new MemoryStream(input, writable: false)).RedirectTo(captured);
        await command.Task.ConfigureAwait(false);
        return captured.Length == captured.Capacity ? captured.GetBuffer() : captured.ToArray();
    }

    /// <summary>Copies the program's stdout into <paramref name="destination"/> as it arrives; returns the exit code.</summary>
    public static async Task<int> PassthroughAsync(Stream destination, string program, params object[] arguments)
    {
        var command = MedallionCommand.Run(program, arguments);
        command.StandardInput.Dispose();
        var result = await command.RedirectTo(destination).Task.ConfigureAwait(false);
        return result.ExitCode;
    }

    /// <summary>Reads stdout line by line as it arrives (<c>ReadLineAsync</c> on its reader); returns how many lines.</summary>
    public static async Task<int> CountLinesAsync(string program, params object[] arguments)
    {
        var command = MedallionCommand.Run(program, arguments);
        command.StandardInput.Dispose();
        var count = 0;
        while (await command.StandardOutput.ReadLineAsync().ConfigureAwait(false) is not null)
        {
            count++;
        }

        await command.Task.ConfigureAwait(false);
        return count;
    }
}
