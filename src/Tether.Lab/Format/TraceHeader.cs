using System.IO.Hashing;

namespace Tether.Lab;

/// <summary>
/// What a trace file says about the run it recorded: which engine (kind and version) and with which configuration
/// (its bytes and their hash), the seed of a simulated run, and where in the recording this file sits when a long
/// recording was rotated into several files.
/// </summary>
/// <param name="EngineKind">The engine, such as <c>watch</c>.</param>
/// <param name="EngineVersion">The version of the engine's decisions and input codec; a replay refuses another.</param>
/// <param name="Seed">The simulator's seed (0 for a recording of a real run).</param>
/// <param name="Configuration">The engine's configuration, in the engine's own encoding.</param>
/// <param name="FileSequence">0 for the first file of a recording, then 1, 2, … for each rotation.</param>
/// <param name="FirstEventIndex">The index (from 0 over the whole recording) of this file's first event.</param>
public sealed record TraceHeader(string EngineKind, int EngineVersion, ulong Seed, ReadOnlyMemory<byte> Configuration, int FileSequence = 0, long FirstEventIndex = 0)
{
    /// <summary>The XxHash64 of <see cref="Configuration"/>, as written in the file.</summary>
    public ulong ConfigurationHash => XxHash64.HashToUInt64(Configuration.Span);

    /// <summary>The same recording's header for the file after a rotation.</summary>
    public TraceHeader Next(long firstEventIndex) => this with { FileSequence = FileSequence + 1, FirstEventIndex = firstEventIndex };

    /// <summary>True when <paramref name="other"/> describes the same engine, version and configuration.</summary>
    public bool SameRunAs(TraceHeader other) =>
        other.EngineKind == EngineKind && other.EngineVersion == EngineVersion && other.Seed == Seed && Configuration.Span.SequenceEqual(other.Configuration.Span);
}
