using System.Diagnostics;
using Tether.Benchmarks.Contenders;
using Tether.Testing;

namespace Tether.Benchmarks;

/// <summary><c>smoke</c>: one run of every contender of every scenario (and a cassette record + replay), printing what came
/// back and how long it took.</summary>
internal static class Smoke
{
    public static async Task<int> RunAsync()
    {
        var probe = Containment.Probe();
        Console.WriteLine($"probe: cgroup={probe.CgroupAvailable} mount={probe.CgroupMountPoint ?? "-"} path={probe.CgroupPath ?? "-"} reason={probe.CgroupUnavailableReason ?? "-"} warden={probe.WardenShell ?? "-"} auto={probe.AutoMechanism}");
        var input = new byte[8 * 1024 * 1024];
        new Random(1).NextBytes(input);
        foreach (var mode in new[] { ContainmentMode.Auto, ContainmentMode.ProcessGroup })
        {
            Console.WriteLine($"{mode}: mechanism {await Validation.MechanismOf(mode).ConfigureAwait(false)}");
            await TimeAsync($"{mode} true", () => TetherContender.ExitCodeAsync(mode, "/bin/true")).ConfigureAwait(false);
            await TimeAsync($"{mode} echo", () => TetherContender.OutputStringAsync(mode, "/bin/echo", "hello")).ConfigureAwait(false);
            await TimeAsync($"{mode} cat 8 MiB", async () =>
            {
                var bytes = await TetherContender.OutputBytesAsync(mode, "/bin/cat", input, 2L * input.Length).ConfigureAwait(false);
                return bytes.AsSpan().SequenceEqual(input) ? "identical" : $"DIFFERENT ({bytes.Length} bytes)";
            }).ConfigureAwait(false);
        }

        // Every run must give back every descriptor it opened.
        var before = OpenDescriptors();
        for (var i = 0; i < 10; i++)
        {
            await TetherContender.ExitCodeAsync(ContainmentMode.Auto, "/bin/true").ConfigureAwait(false);
        }

        Console.WriteLine($"  open descriptors: {before} before 10 Tether runs, {OpenDescriptors()} after");
        await TimeAsync("Process echo", () => ProcessContender.OutputStringAsync("/bin/echo", "hello")).ConfigureAwait(false);
        await TimeAsync("Medallion echo", () => MedallionContender.OutputStringAsync("/bin/echo", "hello")).ConfigureAwait(false);
        await CassetteAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Records <c>/bin/echo hello</c> to a cassette in a temporary directory, then replays it.</summary>
    private static async Task CassetteAsync()
    {
        var directory = Directory.CreateTempSubdirectory("tether-cassette-smoke-").FullName;
        try
        {
            var path = Path.Combine(directory, "echo.json");
            var echo = new Command("/bin/echo").WithArguments("hello");
            await TimeAsync("cassette record echo", async () =>
            {
                using var recorder = new RecordReplayRunner(path, CassetteMode.Record);
                var result = await recorder.OutputStringAsync(echo).ConfigureAwait(false);
                recorder.Save();
                return result.Stdout;
            }).ConfigureAwait(false);
            await TimeAsync("cassette replay echo", async () =>
            {
                using var replay = new RecordReplayRunner(path, CassetteMode.Replay);
                var result = await replay.OutputStringAsync(echo).ConfigureAwait(false);
                return result.Stdout;
            }).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task TimeAsync<T>(string what, Func<Task<T>> run)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await run().ConfigureAwait(false);
            Console.WriteLine($"  {what}: {Display(result)} in {clock.Elapsed.TotalMilliseconds:0.00} ms");
        }
        catch (Exception ex)
        {
            Console.WriteLine($"  {what}: FAILED after {clock.Elapsed.TotalMilliseconds:0.00} ms: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    private static string Display<T>(T value) => value is string s ? $"\"{s.ReplaceLineEndings("\\n")}\"" : $"{value}";
}
