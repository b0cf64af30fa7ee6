namespace Tether.Lab;

/// <summary>The first difference between two traces.</summary>
/// <param name="Index">The index of the first differing event, or null when the headers differ.</param>
/// <param name="What">What differs, in one line.</param>
/// <param name="Expected">The first trace's side, described.</param>
/// <param name="Actual">The second trace's side, described.</param>
public sealed record TraceDifference(long? Index, string What, string Expected, string Actual);
