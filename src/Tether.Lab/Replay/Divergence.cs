using System.Globalization;
using System.Text;

namespace Tether.Lab;

/// <summary>
/// The first event after which the replayed engine decided differently from the recording, with context: the input,
/// the recorded and replayed decision digests, what the replay decided, and the events around it.
/// </summary>
/// <param name="Index">The event's index over the whole recording.</param>
/// <param name="At">Its time on the engine's clock.</param>
/// <param name="Input">The input, described.</param>
/// <param name="ExpectedDigest">The digest of the recorded decisions.</param>
/// <param name="ActualDigest">The digest of the replayed decisions.</param>
/// <param name="ActualDecisions">What the replay decided for this input.</param>
/// <param name="Before">Up to 10 events before it, described, oldest first.</param>
/// <param name="After">Up to 5 events after it, described.</param>
/// <param name="AtCheckpoint">True when the per-event digests all matched but a chunk's checkpoint did not (two different decision sets with the same digest): the event named is then the last of that chunk.</param>
public sealed record Divergence(long Index, TimeSpan At, string Input, byte ExpectedDigest, byte ActualDigest, IReadOnlyList<string> ActualDecisions, IReadOnlyList<string> Before, IReadOnlyList<string> After, bool AtCheckpoint)
{
    /// <summary>The report, several lines.</summary>
    public string Report()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"diverged at event {Index} (t={At.TotalMilliseconds:0.###}ms): {Input}\n");
        if (AtCheckpoint)
        {
            text.Append("  the chunk's decision checkpoint differs (digests matched up to here)\n");
        }
        else
        {
            text.Append(inv, $"  recorded decisions digest {ExpectedDigest:x2}, replayed {ActualDigest:x2}\n");
        }
        text.Append("  replayed decisions:\n");
        foreach (var decision in ActualDecisions.DefaultIfEmpty("(none)"))
        {
            text.Append("    ").Append(decision).Append('\n');
        }

        text.Append("  before:\n");
        foreach (var line in Before)
        {
            text.Append("    ").Append(line).Append('\n');
        }

        text.Append("  after:\n");
        foreach (var line in After)
        {
            text.Append("    ").Append(line).Append('\n');
        }

        return text.ToString().TrimEnd('\n');
    }
}
