namespace Tether.Testing;

/// <summary>How a <see cref="RecordReplayRunner"/> uses its cassette, as in VCR-style libraries.</summary>
public enum CassetteMode
{
    /// <summary>
    /// Strict replay, for CI: answers from the cassette only, never spawns; a missing cassette is an error and an
    /// invocation it does not hold throws <see cref="CassetteMissException"/>.
    /// </summary>
    Replay,

    /// <summary>Always re-records: runs everything for real and replaces the cassette when saved.</summary>
    Record,

    /// <summary>Records when the cassette does not exist yet, otherwise replays strictly (the usual choice in a test).</summary>
    Once,

    /// <summary>Replays the invocations the cassette holds and records the ones it does not, adding them when saved.</summary>
    NewEpisodes,
}
