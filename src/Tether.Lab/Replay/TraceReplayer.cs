namespace Tether.Lab;

/// <summary>
/// Re-runs an engine from a trace and compares each input's decisions with the recorded digest, and the running hash
/// with every chunk's checkpoint. The first mismatch is the divergence, reported with the 10 events before and the 5
/// after; a minimal divergent prefix (every event up to and including it) can be written as a new trace, which replays
/// to the same divergence.
/// </summary>
public static class TraceReplayer
{
    /// <summary>How many events before a divergence its report shows.</summary>
    public const int ContextBefore = 10;

    /// <summary>How many events after a divergence its report shows.</summary>
    public const int ContextAfter = 5;

    /// <summary>Replays <paramref name="files"/> (one recording, oldest first) through <paramref name="engine"/>'s engine.</summary>
    /// <exception cref="TraceFormatException">The files are of another engine or version, do not start at the recording's first file, or do not follow each other.</exception>
    public static ReplayResult Replay<TInput>(EngineTrace<TInput> engine, IReadOnlyList<TraceFile> files, string? prefixPath = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Check(engine, files);
        var replayed = engine.CreateEngine(files[0].Header);
        var recent = new TInput[ContextBefore];
        var running = DecisionHash.Empty;
        long count = 0;
        var stops = files.Where(f => f.Stop is not null).Select(f => (f.Name, f.Stop!)).ToList();
        var codec = engine.CreateCodec();
        foreach (var file in files)
        {
            var chunk = 0;
            foreach (var record in file.Events(codec))
            {
                var actual = replayed.Handle(record.Input);
                running = DecisionHash.Add(running, actual);
                count++;
                var current = file.Chunks[chunk];
                var chunkEnds = record.Index == current.FirstEventIndex + current.EventCount - 1;
                var digestDiffers = DecisionHash.Digest(actual) != record.Digest;
                if (digestDiffers || (chunkEnds && running != current.Checkpoint))
                {
                    var divergence = Describe(engine, codec, files, file, record, actual, replayed.LastDecisions(), recent, count, !digestDiffers);
                    string? written = null;
                    if (prefixPath is not null)
                    {
                        WritePrefix(engine, files, record.Index, record.Digest, prefixPath);
                        written = prefixPath;
                    }

                    return new ReplayResult(count, divergence, stops, written);
                }

                recent[(count - 1) % ContextBefore] = record.Input;
                if (chunkEnds)
                {
                    chunk++;
                }
            }
        }

        return new ReplayResult(count, null, stops, null);
    }

    /// <summary>The decision hashes a fresh engine takes for <paramref name="inputs"/>, paired with them (for writing traces of chosen inputs).</summary>
    public static IEnumerable<(TInput Input, ulong Decisions)> Decide<TInput>(EngineTrace<TInput> engine, TraceHeader header, IEnumerable<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(inputs);
        var replayed = engine.CreateEngine(header);
        foreach (var input in inputs)
        {
            yield return (input, replayed.Handle(input));
        }
    }

    /// <summary>Checks that <paramref name="files"/> are one recording of <paramref name="engine"/>'s engine, from its first file on, each following the one before.</summary>
    /// <exception cref="TraceFormatException">They are not; the message says which file and why.</exception>
    public static void Check<TInput>(EngineTrace<TInput> engine, IReadOnlyList<TraceFile> files)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0)
        {
            throw new ArgumentException("Give at least one trace file.", nameof(files));
        }

        var first = files[0].Header;
        if (first.EngineKind != engine.Kind || first.EngineVersion != engine.Version)
        {
            throw new TraceFormatException($"'{files[0].Name}' is a trace of engine '{first.EngineKind}' version {first.EngineVersion}; this replayer runs '{engine.Kind}' version {engine.Version}");
        }

        if (first.FileSequence != 0)
        {
            throw new TraceFormatException($"'{files[0].Name}' is file {first.FileSequence} of a rotated recording: a replay starts from the recording's first file (FILE.N … FILE.1 FILE, oldest first), because the engine's state carries over");
        }

        for (var i = 1; i < files.Count; i++)
        {
            var (before, after) = (files[i - 1], files[i]);
            if (!after.Header.SameRunAs(before.Header) || after.Header.FileSequence != before.Header.FileSequence + 1 || after.Header.FirstEventIndex != before.Header.FirstEventIndex + before.EventCount || before.Stop is not null)
            {
                throw new TraceFormatException($"'{after.Name}' does not continue '{before.Name}' (file {after.Header.FileSequence} from event {after.Header.FirstEventIndex}, after file {before.Header.FileSequence} ending at event {before.Header.FirstEventIndex + before.EventCount}{(before.Stop is not null ? ", which is cut short" : "")})");
            }
        }
    }

    private static Divergence Describe<TInput>(EngineTrace<TInput> engine, ITraceCodec<TInput> codec, IReadOnlyList<TraceFile> files, TraceFile file, TraceRecord<TInput> record, ulong actual, IReadOnlyList<string> decisions, TInput[] recent, long count, bool atCheckpoint)
    {
        var before = new List<string>();
        var first = Math.Max(0, count - 1 - ContextBefore);
        for (var n = first; n < count - 1; n++)
        {
            var index = record.Index - (count - 1 - n);
            before.Add($"#{index} {engine.Describe(recent[n % ContextBefore]!)}");
        }

        // The events after come from a second, independent decode: the replay's own enumeration is left where it is.
        var after = new List<string>();
        foreach (var later in files.SkipWhile(f => f != file))
        {
            foreach (var next in later.Events(engine.CreateCodec()))
            {
                if (next.Index > record.Index && after.Count < ContextAfter)
                {
                    after.Add($"#{next.Index} {engine.Describe(next.Input)}");
                }
            }

            if (after.Count >= ContextAfter)
            {
                break;
            }
        }

        return new Divergence(record.Index, codec.TimeOf(record.Input), engine.Describe(record.Input), record.Digest, DecisionHash.Digest(actual), decisions, before, after, atCheckpoint);
    }

    /// <summary>A decision hash other than <paramref name="actual"/> whose digest is <paramref name="digest"/>.</summary>
    private static ulong WithDigest(byte digest, ulong actual)
    {
        for (ulong candidate = 1; ; candidate++)
        {
            if (DecisionHash.Digest(candidate) == digest && candidate != actual)
            {
                return candidate;
            }
        }
    }

    private static void WritePrefix<TInput>(EngineTrace<TInput> engine, IReadOnlyList<TraceFile> files, long lastIndex, byte recordedDigest, string path)
    {
        var header = files[0].Header;
        var inputs = files.SelectMany(f => f.Events(engine.CreateCodec())).TakeWhile(r => r.Index <= lastIndex).Select(r => r.Input);

        // Every event before the divergence carries the decisions the engine agreed on; the divergent one carries a
        // value whose digest is the recorded one, so the prefix replays to the same divergence.
        var decided = Decide(engine, header, inputs).Select((pair, i) => i == lastIndex ? (pair.Input, WithDigest(recordedDigest, pair.Decisions)) : pair);
        TraceWriter<TInput>.WriteFile(path, header, engine.CreateCodec(), decided);
    }
}
