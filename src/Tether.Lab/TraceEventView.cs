using System.Text.Json;

namespace Tether.Lab;

/// <summary>One recorded input, described for a person and as JSON.</summary>
/// <param name="Index">Its index over the whole recording.</param>
/// <param name="At">Its time on the engine's clock.</param>
/// <param name="Digest">The digest of the decisions it caused when recorded.</param>
/// <param name="Text">One line describing it.</param>
/// <param name="WriteFields">Writes its fields as JSON properties.</param>
public sealed record TraceEventView(long Index, TimeSpan At, byte Digest, string Text, Action<Utf8JsonWriter> WriteFields);
