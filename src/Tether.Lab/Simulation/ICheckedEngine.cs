namespace Tether.Lab;

/// <summary>An engine under invariant checks: each input is fed, then every invariant is checked.</summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public interface ICheckedEngine<TInput>
{
    /// <summary>Feeds one input; returns the first invariant it broke (one line: the invariant's name, ': ', the details), or null. <paramref name="decisions"/> is the hash of what the engine decided.</summary>
    string? Feed(TInput input, out ulong decisions);
}
