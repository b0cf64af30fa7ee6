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
