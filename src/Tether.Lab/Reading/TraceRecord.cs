namespace Tether.Lab;

/// <summary>One recorded input with the digest of the decisions it caused when recorded.</summary>
/// <param name="Index">Its index over the whole recording (from 0).</param>
/// <param name="Digest">The one-byte digest of the decision hash when it was recorded.</param>
/// <param name="Input">The input.</param>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public readonly record struct TraceRecord<TInput>(long Index, byte Digest, TInput Input);
