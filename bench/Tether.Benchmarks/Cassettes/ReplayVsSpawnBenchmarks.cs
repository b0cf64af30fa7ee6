using BenchmarkDotNet.Attributes;
using Tether.Testing;

namespace Tether.Benchmarks.Cassettes;

/// <summary>
/// What a replayed run costs against a real spawn of the same command (<c>/bin/echo hello</c>, stdout captured as a
/// string). The baseline spawns through <see cref="ProcessRunner.Default"/>; the other cases answer from a cassette
/// recorded once in the setup by a real run of that command, without spawning anything.
/// </summary>
/// <remarks>
/// The cassette lives in a fresh temporary directory removed in the cleanup. The replaying runner is opened once in
/// the setup (as a test class would), except in the load case, which measures opening it. The command is built inside
/// every operation, as callers do.
/// </remarks>
[Config(typeof(CassetteConfig))]
public class ReplayVsSpawnBenchmarks
{
    private const string Echo = "/bin/echo";
    private const string Word = "hello";
    private const string Expected = "hello\n";

    private string? _directory;
    private string? _cassette;
    private RecordReplayRunner? _replay;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("tether-cassette-bench-").FullName;
        _cassette = Path.Combine(_directory, "echo.json");
        Record(_cassette);
        _replay = new RecordReplayRunner(_cassette, CassetteMode.Replay);
        Validation.Once(nameof(ReplayVsSpawnBenchmarks), () =>
        {
            Validation.Expect(Spawn().GetAwaiter().GetResult() == Expected, "a real spawn's stdout");
            Validation.Expect(ReplayOutput().GetAwaiter().GetResult() == Expected, "a replayed OutputStringAsync's stdout");
            Validation.Expect(ReplayStartAndWait().GetAwaiter().GetResult() == Expected, "a replayed StartAsync + WaitAsync's stdout");
            Validation.Expect(LoadCassette() == 1, "the number of entries in the recorded cassette");
            Validation.ReportMechanisms();
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _replay?.Dispose();
        _replay = null;
        if (_directory is not null && Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "Real spawn (ProcessRunner.Default)")]
    public async Task<string> Spawn()
    {
        var result = await ProcessRunner.Default.OutputStringAsync(EchoCommand()).ConfigureAwait(false);
        return result.Stdout;
    }

    [Benchmark(Description = "Replay: OutputStringAsync")]
    public async Task<string> ReplayOutput()
    {
        var result = await _replay!.OutputStringAsync(EchoCommand()).ConfigureAwait(false);
        return result.Stdout;
    }

    [Benchmark(Description = "Replay: StartAsync + WaitAsync")]
    public async Task<string> ReplayStartAndWait()
    {
        var process = await _replay!.StartAsync(EchoCommand()).ConfigureAwait(false);
        await using (process.ConfigureAwait(false))
        {
            var result = await process.WaitAsync().ConfigureAwait(false);
            return result.Stdout;
        }
    }

    /// <summary>
    /// Opening the cassette for replay: read, parse and index the file (one entry). Disposed synchronously: the
    /// constructor registers the runner in the caller's async flow, and only <c>Dispose()</c> takes it out of that flow
    /// again (<c>DisposeAsync</c> removes it in its own flow, which does not flow back), so awaiting the disposal here
    /// would grow that list by one runner per operation.
    /// </summary>
    [Benchmark(Description = "Load cassette (new RecordReplayRunner, Replay)")]
    public int LoadCassette()
    {
        using var runner = new RecordReplayRunner(_cassette!, CassetteMode.Replay);
        return runner.Entries.Length;
    }

    private static Command EchoCommand() => new Command(Echo).WithArguments(Word);

    /// <summary>One real run of the command, saved as the cassette every replaying case answers from.</summary>
    private static void Record(string path)
    {
        using var recorder = new RecordReplayRunner(path, CassetteMode.Record);
        var recorded = recorder.OutputStringAsync(EchoCommand()).GetAwaiter().GetResult();
        Validation.Expect(recorded.Stdout == Expected && recorded.ExitCode == 0, "the recorded run's stdout and exit code");
        recorder.Save();
    }
}
