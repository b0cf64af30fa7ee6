using System.Globalization;
using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary>
/// The cassette of one <c>tether run --cassette FILE</c>: a <see cref="RecordReplayRunner"/> over the real runner that
/// replays the run from FILE without spawning anything, or runs it for real and records it (<c>--mode</c>).
/// </summary>
/// <remarks>
/// FILE is written only by <see cref="SaveAsync"/>, after a run that completed with any outcome (an exit code, a
/// signal, a timeout); never on disposal, so a run that could not start or was interrupted records nothing. Everything
/// that would keep a recording from being saved and can be known in advance (a directory, a symbolic link, a missing
/// parent directory, an invalid file that <c>--mode record</c> would replace) is refused by <see cref="Open"/>, before
/// anything runs. A file that is not a valid cassette is never written over.
/// </remarks>
internal sealed class RunCassette : IAsyncDisposable
{
    /// <summary>
    /// How much of each output stream a recorded run keeps: a quarter of the largest cassette file, so that an entry
    /// fits in a cassette that can be loaded again. Past it the run goes on (its output is streamed, not held), but the
    /// recording is dropped rather than saved cut short.
    /// </summary>
    public static readonly OutputLimit CaptureLimit = new(Cassette.MaxFileBytes / 4, OverflowPolicy.KeepNewest);

    private readonly string _path;
    private bool _saved;

    private RunCassette(string path, RecordReplayRunner runner)
    {
        _path = path;
        Runner = runner;
    }

    /// <summary>The runner to start the program with.</summary>
    public RecordReplayRunner Runner { get; }

    /// <summary>True when the run is answered from the cassette only, so nothing is spawned and no file is used.</summary>
    public bool ReplaysOnly => Runner.Replays && !Runner.Records;

    /// <summary>Reads <c>--mode</c>: <c>once</c> (also when absent), <c>replay</c>, <c>record</c> or <c>new-episodes</c>.</summary>
    public static CassetteMode ParseMode(string option, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "once" => CassetteMode.Once,
        "replay" => CassetteMode.Replay,
        "record" => CassetteMode.Record,
        "new-episodes" => CassetteMode.NewEpisodes,
        _ => throw new UsageException($"{option}: '{text}' is not a cassette mode: write once, replay, record or new-episodes."),
    };

    /// <summary>
    /// Opens the cassette at <paramref name="path"/> in <paramref name="mode"/>, with <paramref name="inner"/> running
    /// what is recorded; or, when it cannot be used, returns the one-line error and then nothing may run.
    /// </summary>
    public static (RunCassette? Cassette, string? Error) Open(string path, CassetteMode mode, IProcessRunner inner)
    {
        if (Directory.Exists(path))
        {
            return (null, $"--cassette: '{path}' is a directory: give the path of a cassette file, such as {Path.Combine(path, "run.json")}; nothing was run.");
        }

        RecordReplayRunner runner;
        try
        {
            runner = new RecordReplayRunner(path, mode, inner);
        }
        catch (CassetteException ex) when (ex.Problem == CassetteProblem.NotFound && mode == CassetteMode.Replay)
        {
            return (null, $"--cassette: '{path}' does not exist, and --mode replay only replays: record it first with --mode once or record; nothing was run.");
        }
        catch (CassetteException ex)
        {
            return (null, $"--cassette: {CassetteMessages.Clause(ex.Message)} Nothing was run.");
        }

        var cassette = new RunCassette(path, runner);
        if (runner.Records && CheckWritable(path) is { } problem)
        {
            runner.Discard("the cassette cannot be written");
            runner.Dispose();
            return (null, problem);
        }

        return (cassette, null);
    }

    /// <summary>
    /// Saves the run to the cassette when it was run for real (not replayed) and its output fits; returns the one-line
    /// error when it was not saved, or null.
    /// </summary>
    public async Task<string?> SaveAsync(ProcessResult<byte[]> result)
    {
        if (result.Mechanism == ContainmentMechanism.None || !Runner.Records)
        {
            return null; // replayed: the cassette already holds it
        }

        if (result.Truncated)
        {
            Runner.Discard("the output was too large for a cassette");
            var stream = result.StdoutTruncated ? "stdout" : "stderr";
            return string.Create(CultureInfo.InvariantCulture, $"--cassette: the program wrote more than {CaptureLimit.MaxBytes / (1024 * 1024)} MiB to {stream}, more than a cassette entry holds: nothing was recorded and '{_path}' is unchanged; record a run with less output.");
        }

        try
        {
            await Runner.SaveAsync().ConfigureAwait(false);
            _saved = true;
            return null;
        }
        catch (CassetteException ex)
        {
            Runner.Discard("the cassette could not be saved");
            return $"--cassette: the run was not recorded: {CassetteMessages.Clause(ex.Message)}";
        }
    }

    /// <summary>Drops what was recorded and not saved (an interrupted or failed run) and releases the runner; writes nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_saved)
        {
            Runner.Discard("the run did not complete");
        }

        await Runner.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Why a recording could not be saved to <paramref name="path"/>, found before anything runs; or null. (A file that
    /// is not a valid cassette, which <c>--mode record</c> would replace, is already refused by the runner itself.)
    /// </summary>
    private static string? CheckWritable(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is { } target)
        {
            return $"--cassette: '{path}' is a symbolic link (to '{target}'), and cassettes are never written through a link: remove the link or give another path; nothing was run.";
        }

        if (file.Directory is { Exists: false } directory)
        {
            return $"--cassette: the directory '{directory}' does not exist: create it, or give a cassette path in an existing directory; nothing was run.";
        }

        return null;
    }
}
