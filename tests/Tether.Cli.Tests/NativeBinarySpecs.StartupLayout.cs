using System.Globalization;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// The layout of the native binary's code (src/Tether.Cli/startup.order, written by eng/startup-order/regenerate.sh):
/// the managed methods an idle watcher runs sit together at the start of the code, so start-up touches a few pages of
/// it instead of 64 KiB windows all over it (issue 12: an idle watcher in ≤ 15 MB of RSS). When start-up comes to run
/// other code (a runtime or System.CommandLine update, a reworked verb tree or watcher), these fail until the file is
/// regenerated.
/// </summary>
public sealed partial class NativeBinarySpecs
{
    /// <summary>
    /// Measured on this machine (docs/benchmarks.md, "What an idle watcher keeps resident"): 2.4 MiB with the layout,
    /// 5.5–5.7 MiB without it. The bound sits between them, far from both, so a busy machine does not move the result.
    /// </summary>
    private const long IdleCodeResidentKiB = 4000;

    [Fact]
    public async Task An_idle_native_watcher_keeps_under_4000_KiB_of_the_binarys_code_resident()
    {
        // Arrange: stdout and stderr on pipes, as the watch-idle benchmark runs it.
        var socket = _temp.Child("watch.sock");
        using var watcher = Start("watch", "--socket", socket, "--threshold", "5s");
        watcher.BeginOutputReadLine();
        watcher.BeginErrorReadLine();
        try
        {
            // Act: once it listens, its start-up is over; a few seconds more and its loop is idle.
            await Tool.EventuallyAsync(() => File.Exists(socket), "the watcher created its socket");
            await Task.Delay(TimeSpan.FromSeconds(3));
            var code = ResidentKiB(watcher.Id, native.Path, "r-xp");

            // Assert
            Assert.False(watcher.HasExited, "the watcher exited while idle");
            Assert.True(code <= IdleCodeResidentKiB,
                $"An idle native watcher keeps {code} KiB of the binary's code resident (bound {IdleCodeResidentKiB} KiB): start-up now runs code that " +
                "src/Tether.Cli/startup.order does not place together; run eng/startup-order/regenerate.sh as root and commit the file it writes.");
        }
        finally
        {
            if (!watcher.HasExited)
            {
                watcher.Kill();
            }

            await watcher.WaitForExitAsync().WaitAsync(Tool.Hang);
        }
    }

    [Fact]
    public async Task The_methods_the_startup_order_names_are_methods_of_the_native_binary()
    {
        // Arrange
        var order = File.ReadLines(Path.Combine(native.RepositoryRoot, "src", "Tether.Cli", "startup.order"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        // Act
        var symbols = await SymbolsAsync(native.Symbols);
        var missing = order.Where(name => !symbols.Contains(name)).ToList();

        // Assert: a method renamed here or there only costs its own page, which the residency spec above would not
        // see; more than 1 in 100 gone means the layout is drifting away from the code.
        Assert.True(order.Count > 1000, $"startup.order names {order.Count} methods; an idle watcher runs thousands");
        Assert.True(missing.Count * 100 <= order.Count,
            $"{missing.Count} of the {order.Count} methods src/Tether.Cli/startup.order names are not in the native binary (first: " +
            $"{string.Join(", ", missing.Take(5))}); run eng/startup-order/regenerate.sh as root and commit the file it writes.");
    }

    /// <summary>The <c>Rss</c> of <paramref name="binary"/>'s mapping with permissions <paramref name="permissions"/>, in KiB.</summary>
    private static long ResidentKiB(int pid, string binary, string permissions)
    {
        var total = 0L;
        var inMapping = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 0 && fields[0].Contains('-', StringComparison.Ordinal) && !fields[0].EndsWith(':'))
            {
                inMapping = fields.Length >= 6 && fields[1] == permissions && fields[5] == binary;
            }
            else if (inMapping && fields[0] == "Rss:")
            {
                total += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        return total > 0 ? total : throw new InvalidOperationException($"process {pid} maps no {permissions} part of {binary}");
    }

    /// <summary>The defined symbols of <paramref name="file"/>, by <c>nm</c> (binutils, which the native link itself needs).</summary>
    private static async Task<HashSet<string>> SymbolsAsync(string file)
    {
        var result = await Tool.RunProgramAsync("nm", ["--defined-only", file], Plain, Path.GetDirectoryName(file)!);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdoutLines.Select(l => l.Split(' ')).Where(f => f.Length == 3).Select(f => f[2]).ToHashSet(StringComparer.Ordinal);
    }
}
