namespace Tether.Lab;

/// <summary>Compares two traces: headers first, then each event's input bytes and decision digest, in order.</summary>
public static class TraceDiff
{
    /// <summary>The first difference, or null when both traces hold the same engine, configuration, inputs and decisions.</summary>
    public static TraceDifference? Compare<TInput>(EngineTrace<TInput> engine, TraceFile expected, TraceFile actual)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var (a, b) = (expected.Header, actual.Header);
        if (a.EngineKind != b.EngineKind || a.EngineVersion != b.EngineVersion)
        {
            return new TraceDifference(null, "engine", $"{a.EngineKind} v{a.EngineVersion}", $"{b.EngineKind} v{b.EngineVersion}");
        }

        if (a.ConfigurationHash != b.ConfigurationHash)
        {
            return new TraceDifference(null, "configuration", $"{a.ConfigurationHash:x16}", $"{b.ConfigurationHash:x16}");
        }

        if (a.Seed != b.Seed)
        {
            return new TraceDifference(null, "seed", $"{a.Seed}", $"{b.Seed}");
        }

        using var left = expected.RawEvents(engine.CreateCodec()).GetEnumerator();
        using var right = actual.RawEvents(engine.CreateCodec()).GetEnumerator();
        while (true)
        {
            var (hasLeft, hasRight) = (left.MoveNext(), right.MoveNext());
            if (!hasLeft || !hasRight)
            {
                return hasLeft == hasRight ? null
                    : hasLeft ? new TraceDifference(left.Current.Index, "length", $"#{left.Current.Index} {engine.Describe(left.Current.Input)}", "(the trace ends)")
                    : new TraceDifference(right.Current.Index, "length", "(the trace ends)", $"#{right.Current.Index} {engine.Describe(right.Current.Input)}");
            }

            var (l, r) = (left.Current, right.Current);
            if (!l.Bytes.Span.SequenceEqual(r.Bytes.Span))
            {
                return new TraceDifference(l.Index, "input", $"#{l.Index} {engine.Describe(l.Input)}", $"#{r.Index} {engine.Describe(r.Input)}");
            }

            if (l.Digest != r.Digest)
            {
                return new TraceDifference(l.Index, "decisions", $"#{l.Index} digest {l.Digest:x2}", $"#{r.Index} digest {r.Digest:x2}");
            }
        }
    }
}
