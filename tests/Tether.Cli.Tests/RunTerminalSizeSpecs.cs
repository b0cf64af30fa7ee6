using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// Under --tty, when tether's own stdout is a terminal, the program's terminal takes its size and follows its resizes.
/// script(1) gives the tool a terminal of its own, whose size the specs set and change with stty.
/// </summary>
public sealed class RunTerminalSizeSpecs
{
    private static async Task<CliResult> InATerminalAsync(TempDirectory directory, string commands)
    {
        var file = directory.Child("session.sh");
        await File.WriteAllTextAsync(file, commands);
        return await Tool.RunProgramAsync("script", ["-qec", $"sh '{file}'", "/dev/null"], new Dictionary<string, string?>(), directory.Path);
    }

    [Fact]
    public async Task The_terminal_has_the_size_of_tethers_own()
    {
        using var directory = new TempDirectory();

        var result = await InATerminalAsync(directory, $"""
            stty cols 100 rows 30
            '{Tool.Executable}' run --tty -- /bin/sh -c 'stty size'
            echo "tether exited $?"
            """);

        var lines = result.Stdout.Split('\n').Select(line => line.Trim('\r', ' ')).ToArray();
        Assert.True(lines.Any(line => line.EndsWith("30 100", StringComparison.Ordinal)), result.ToString());
        Assert.Contains("tether exited 0", lines);
    }

    [Fact]
    public async Task When_tethers_terminal_is_resized_the_programs_is_too()
    {
        using var directory = new TempDirectory();

        // The program says when it has started; the resizer then flips tether's terminal between two sizes, so a
        // resize that came before tether listened is followed by more. The program ends once it sees 120x40.
        var result = await InATerminalAsync(directory, $$"""
            stty cols 100 rows 30
            (while [ ! -e started ]; do sleep 0.05; done
             for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
               stty cols 110 rows 35 < /dev/tty; sleep 0.2; stty cols 120 rows 40 < /dev/tty; sleep 0.3
             done) &
            resizer=$!
            '{{Tool.Executable}}' run --tty -- /bin/sh -c 'stty size; got=; trap "got=\$(stty size)" WINCH; touch started; i=0; while [ $i -lt 150 ]; do sleep 0.1; if [ "$got" = "40 120" ]; then echo "resized to $got"; exit 0; fi; i=$((i+1)); done; exit 1'
            echo "tether exited $?"
            kill $resizer 2>/dev/null
            wait
            """);

        var lines = result.Stdout.Split('\n').Select(line => line.Trim('\r', ' ')).ToArray();
        Assert.True(lines.Any(line => line.EndsWith("30 100", StringComparison.Ordinal)), result.ToString());
        Assert.True(lines.Contains("resized to 40 120") && lines.Contains("tether exited 0"), result.ToString());
    }
}
