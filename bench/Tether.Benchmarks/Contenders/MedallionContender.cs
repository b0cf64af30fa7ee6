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

    /// <summary>Pipes <paramref name="input"/> in and stdout out to a <see cref="MemoryStream"/>; returns stdout as bytes.</summary>
    public static async Task<byte[]> OutputBytesAsync(string program, byte[] input)
    {
        var captured = new MemoryStream();
        var command = MedallionCommand.Run(program).RedirectFrom(new MemoryStream(input, writable: false)).RedirectTo(captured);
        await command.Task.ConfigureAwait(false);
        return captured.ToArray();
    }
}
