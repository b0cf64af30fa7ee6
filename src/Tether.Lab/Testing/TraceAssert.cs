namespace Tether.Lab;

/// <summary>Turns a recorded trace into a regression test in one line.</summary>
public static class TraceAssert
{
    /// <summary>
    /// Replays the trace at <paramref name="path"/> (and, for a rotated recording, the older files given after it in
    /// <paramref name="olderFiles"/>, newest first as they are named FILE.1, FILE.2 …) and throws
    /// <see cref="TraceAssertionException"/> with the divergence report unless every decision is identical to the
    /// recording and the file is whole.
    /// </summary>
    public static ReplayResult ReplaysIdentically<TInput>(string path, EngineTrace<TInput> engine, params string[] olderFiles)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(olderFiles);
        var files = olderFiles.Reverse().Append(path).Select(TraceFile.Read).ToList();
        var result = TraceReplayer.Replay(engine, files);
        if (result.Stops.Count > 0)
        {
            throw new TraceAssertionException($"{path}: {result.Stops[0].Stop}");
        }

        if (result.Divergence is { } divergence)
        {
            throw new TraceAssertionException($"{path}: {divergence.Report()}");
        }

        if (result.Events == 0)
        {
            throw new TraceAssertionException($"{path}: the trace holds no events, so it proves nothing");
        }

        return result;
    }
}
