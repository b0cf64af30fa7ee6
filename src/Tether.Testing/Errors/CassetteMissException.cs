namespace Tether.Testing;

/// <summary>
/// A replaying <see cref="RecordReplayRunner"/> was asked for an invocation its cassette does not hold. Nothing was
/// spawned. This is never a "program not found": the program may well exist, the cassette just has no answer.
/// </summary>
/// <remarks>
/// It is an <see cref="InvalidOperationException"/>, not a <see cref="TetherException"/>, so that production code handling
/// process failures (<c>catch (TetherException)</c>, retries) never swallows a stale cassette.
/// </remarks>
public sealed class CassetteMissException : InvalidOperationException
{
    internal CassetteMissException(Invocation invocation, string cassettePath)
        : base($"The cassette '{cassettePath}' has no recording of {invocation}; record it in the Record or NewEpisodes mode (from a shell: tether run --cassette {cassettePath} --mode new-episodes -- …) or fix the invocation. Nothing was run.")
    {
        Invocation = invocation;
        CassettePath = cassettePath;
    }

    /// <summary>The program that was asked for.</summary>
    public string Program => Invocation.Program;

    /// <summary>The invocation the cassette does not hold.</summary>
    public Invocation Invocation { get; }

    /// <summary>The cassette file.</summary>
    public string CassettePath { get; }
}
