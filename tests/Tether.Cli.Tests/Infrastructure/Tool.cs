using System.Text.Json;
using Tether.Cli;

namespace Tether.Cli.Tests.Infrastructure;

/// <summary>Runs the tether tool in-process, exactly as <c>Program</c> does, with a captured console.</summary>
internal static class Tool
{
    /// <summary>Far beyond any run in these specs: a hang fails the spec instead of the whole test run.</summary>
    public static readonly TimeSpan Hang = TimeSpan.FromSeconds(90);

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, stdin: null);

    public static async Task<CliResult> RunAsync(string[] args, Stream? stdin, Interruption? interruption = null)
    {
        var console = new CapturedConsole(stdin);
        using var own = interruption is null ? new Interruption() : null;
        var exitCode = await TetherApp.InvokeAsync(args, console.Console, interruption ?? own!).WaitAsync(Hang);
        return new CliResult(exitCode, console.Stdout, console.Stderr);
    }

    /// <summary>Starts a run without waiting for it, for specs that interrupt it.</summary>
    public static (Task<int> Run, CapturedConsole Console) Start(string[] args, Interruption interruption)
    {
        var console = new CapturedConsole();
        return (Task.Run(() => TetherApp.InvokeAsync(args, console.Console, interruption)), console);
    }

    /// <summary>The built tool, next to the specs.</summary>
    public static string Executable { get; } = Path.Combine(AppContext.BaseDirectory, "Tether.Cli");

    /// <summary>
    /// Runs the built tool as a child process, for specs that need their own environment variables (an in-process run
    /// shares the test process's). A null value removes the variable. Stdin gets <paramref name="stdin"/>, then end of
    /// file (so it is never a terminal). A run that hangs is killed, and the spec fails.
    /// </summary>
    public static Task<CliResult> RunChildAsync(string[] args, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null, string? stdin = null) =>
        RunProgramAsync(Executable, args, environment, workingDirectory, stdin);

    /// <summary>
    /// Starts the built tool as a child process with its streams redirected, for specs that signal it. A program keeps
    /// an inherited "ignore SIGINT" (non-interactive shells give it to background jobs, and the .NET runtime honours
    /// it), so a test host that ignores SIGINT would pass that on: env --default-signal gives tether the default
    /// disposition a terminal would.
    /// </summary>
    public static System.Diagnostics.Process StartChild(string[] args, bool closeStdin = true)
    {
        var info = new System.Diagnostics.ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Processes.IgnoresSigInt())
        {
            info.FileName = "/usr/bin/env";
            info.ArgumentList.Add("--default-signal=INT");
            info.ArgumentList.Add(Executable);
        }
        else
        {
            info.FileName = Executable;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = System.Diagnostics.Process.Start(info)!;
        if (closeStdin)
        {
            process.StandardInput.Close();
        }

        return process;
    }

    /// <summary>Runs <paramref name="program"/> as a child process, as <see cref="RunChildAsync"/> runs the tool.</summary>
    public static async Task<CliResult> RunProgramAsync(string program, string[] args, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null, string? stdin = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(Hang);
            return new CliResult(process.ExitCode, await stdout.WaitAsync(Hang), await stderr.WaitAsync(Hang));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Waits (generously) until <paramref name="condition"/> holds; fails with <paramref name="what"/> otherwise.</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var limit = within ?? TimeSpan.FromSeconds(30);
        var start = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (TimeProvider.System.GetElapsedTime(start) > limit)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>What one in-process run of the tool did.</summary>
internal sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Lines(Stderr);

    public string[] StdoutLines => Lines(Stdout);

    /// <summary>The <c>--json</c> object: the last line of stdout.</summary>
    public JsonElement Json()
    {
        var lines = StdoutLines;
        Assert.NotEmpty(lines);
        using var document = JsonDocument.Parse(lines[^1]);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the run failed with exactly one line on stderr, prefixed "tether: ", and returns it.</summary>
    public string SingleErrorLine()
    {
        var line = Assert.Single(StderrLines);
        Assert.StartsWith("tether: ", line, StringComparison.Ordinal);
        return line;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
