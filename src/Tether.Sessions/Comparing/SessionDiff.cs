using System.Collections.Immutable;

namespace Tether.Sessions;

/// <summary>
/// The command lines of two sessions lined up by a longest common subsequence of their exact text: what both ran, in
/// order, with what only one of them ran in between. Working directories, exit codes and timings are not compared.
/// </summary>
public sealed class SessionDiff
{
    private SessionDiff(ImmutableArray<DiffLine> lines)
    {
        Lines = lines;
        OnlyA = lines.Count(l => l.Side == DiffSide.OnlyA);
        OnlyB = lines.Count(l => l.Side == DiffSide.OnlyB);
        Common = lines.Count(l => l.Side == DiffSide.Both);
    }

    /// <summary>
    /// Every command line of both sessions, once, in order: A's lines keep A's order and B's keep B's. Where both have
    /// lines of their own, A's are listed first whenever that keeps the common lines as many (so a changed line shows
    /// as A's version, then B's).
    /// </summary>
    public ImmutableArray<DiffLine> Lines { get; }

    /// <summary>How many lines are only in A.</summary>
    public int OnlyA { get; }

    /// <summary>How many lines are only in B.</summary>
    public int OnlyB { get; }

    /// <summary>How many lines are in both (the length of the longest common subsequence).</summary>
    public int Common { get; }

    /// <summary>Compares the command lines of <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static SessionDiff Compare(Session a, Session b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compare([.. a.Commands.Select(c => c.Command)], [.. b.Commands.Select(c => c.Command)]);
    }

    /// <summary>
    /// Compares two lists of command lines by ordinal text. Takes time and memory proportional to the product of the
    /// two lengths; either list may be empty (every line is then only in the other).
    /// </summary>
    public static SessionDiff Compare(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);

        // lcs[i, j]: the length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                lcs[i, j] = string.Equals(a[i], b[j], StringComparison.Ordinal) ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = ImmutableArray.CreateBuilder<DiffLine>(a.Count + b.Count);
        int x = 0, y = 0;
        while (x < a.Count && y < b.Count)
        {
            if (string.Equals(a[x], b[y], StringComparison.Ordinal))
            {
                lines.Add(new(DiffSide.Both, a[x++]));
                y++;
            }
            else if (lcs[x + 1, y] >= lcs[x, y + 1])
            {
                lines.Add(new(DiffSide.OnlyA, a[x++]));
            }
            else
            {
                lines.Add(new(DiffSide.OnlyB, b[y++]));
            }
        }

        for (; x < a.Count; x++)
        {
            lines.Add(new(DiffSide.OnlyA, a[x]));
        }

        for (; y < b.Count; y++)
        {
            lines.Add(new(DiffSide.OnlyB, b[y]));
        }

        return new SessionDiff(lines.DrainToImmutable());
    }
}
