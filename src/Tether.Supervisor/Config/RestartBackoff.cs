namespace Tether.Supervisor;

/// <summary>
/// The delay before each restart (<c>backoff:</c>): <see cref="Initial"/> growing by <see cref="Factor"/> per consecutive
/// restart up to <see cref="Max"/>, with a random part <see cref="Jitter"/> from the engine's seeded source; a run that
/// lasted <see cref="ResetAfter"/> starts the sequence again.
/// </summary>
/// <param name="Initial">The first delay.</param>
/// <param name="Factor">How much each delay grows over the previous one (1 or more).</param>
/// <param name="Max">No delay (before jitter) is longer.</param>
/// <param name="Jitter">0 to 1: a delay d becomes a value in [d × (1 − Jitter), d].</param>
/// <param name="ResetAfter">A run at least this long resets the sequence (and is a stable run).</param>
public sealed record RestartBackoff(TimeSpan Initial, double Factor, TimeSpan Max, double Jitter, TimeSpan ResetAfter)
{
    /// <summary>200 ms, doubling, at most 30 s, 10% jitter, reset after a 30 s run.</summary>
    public static RestartBackoff Default { get; } = new(TimeSpan.FromMilliseconds(200), 2, TimeSpan.FromSeconds(30), 0.1, TimeSpan.FromSeconds(30));
}
