using System.Buffers;
using System.Globalization;
using System.Text;

namespace Tether.Text;

/// <summary>
/// Cuts long text (command output, error messages) to a byte budget before it goes into a record: never inside a UTF-8
/// sequence, and with a visible marker saying how much was left out, e.g. <c>…[cut 1234 bytes]</c>.
/// </summary>
internal static class Utf8Text
{
    /// <summary>The smallest budget <see cref="Cut(string, int, CutKeep)"/> accepts: room for the marker.</summary>
    public const int MinBudget = 48;

    /// <summary>
    /// Returns <paramref name="text"/> unchanged when its UTF-8 form fits in <paramref name="maxBytes"/>; otherwise the
    /// part chosen by <paramref name="keep"/> plus a marker <c>…[cut N bytes]</c> (N = bytes of the original left out),
    /// at most <paramref name="maxBytes"/> UTF-8 bytes in all. Unpaired surrogates become U+FFFD.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is below <see cref="MinBudget"/>.</exception>
    public static string Cut(string text, int maxBytes, CutKeep keep = CutKeep.Head)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinBudget);

        // Cheap exits: a text whose chars all fit even at 3 bytes each cannot be too long.
        if ((long)text.Length * 3 <= maxBytes || Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, rented);
            return CutBytes(rented.AsSpan(0, length), maxBytes, keep);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// The same for raw output bytes: cuts at UTF-8 boundaries and decodes the result (invalid sequences become U+FFFD,
    /// which can make the decoded text's UTF-8 form slightly longer than the bytes kept; the budget applies to the bytes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is below <see cref="MinBudget"/>.</exception>
    public static string Cut(ReadOnlySpan<byte> utf8, int maxBytes, CutKeep keep = CutKeep.Head)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, MinBudget);
        return utf8.Length <= maxBytes ? Encoding.UTF8.GetString(utf8) : CutBytes(utf8, maxBytes, keep);
    }

    /// <summary>The marker put where text was left out, e.g. <c>[cut 1234 bytes]</c> (without the ellipses).</summary>
    public static string Marker(long bytesLeftOut) => string.Create(CultureInfo.InvariantCulture, $"[cut {bytesLeftOut} bytes]");

    private static string CutBytes(ReadOnlySpan<byte> bytes, int maxBytes, CutKeep keep)
    {
        const string Ellipsis = "…"; // 3 bytes in UTF-8
        var ellipses = keep == CutKeep.HeadAndTail ? 2 : 1;

        // Reserve room for the longest marker this cut can need (the whole length's digit count).
        var reserved = Encoding.UTF8.GetByteCount(Marker(bytes.Length)) + (3 * ellipses);
        var budget = maxBytes - reserved;

        ReadOnlySpan<byte> head = default, tail = default;
        switch (keep)
        {
            case CutKeep.Head:
                head = bytes[..BoundaryAtOrBefore(bytes, budget)];
                break;
            case CutKeep.Tail:
                tail = bytes[BoundaryAtOrAfter(bytes, bytes.Length - budget)..];
                break;
            default:
                head = bytes[..BoundaryAtOrBefore(bytes, budget / 2)];
                tail = bytes[BoundaryAtOrAfter(bytes, bytes.Length - (budget - (budget / 2)))..];
                break;
        }

        var marker = Marker(bytes.Length - head.Length - tail.Length);
        return keep switch
        {
            CutKeep.Head => Encoding.UTF8.GetString(head) + Ellipsis + marker,
            CutKeep.Tail => marker + Ellipsis + Encoding.UTF8.GetString(tail),
            _ => Encoding.UTF8.GetString(head) + Ellipsis + marker + Ellipsis + Encoding.UTF8.GetString(tail),
        };
    }

    /// <summary>The largest index ≤ <paramref name="index"/> that does not fall inside a UTF-8 sequence.</summary>
    private static int BoundaryAtOrBefore(ReadOnlySpan<byte> bytes, int index)
    {
        index = Math.Clamp(index, 0, bytes.Length);

        // At most 3 continuation bytes follow a lead byte; stepping back over more than that means invalid input,
        // where any position is as good as another.
        for (var steps = 0; steps < 4 && index > 0 && index < bytes.Length && IsContinuation(bytes[index]); steps++)
        {
            index--;
        }

        return index;
    }

    /// <summary>The smallest index ≥ <paramref name="index"/> that does not fall inside a UTF-8 sequence.</summary>
    private static int BoundaryAtOrAfter(ReadOnlySpan<byte> bytes, int index)
    {
        index = Math.Clamp(index, 0, bytes.Length);
        for (var steps = 0; steps < 4 && index < bytes.Length && IsContinuation(bytes[index]); steps++)
        {
            index++;
        }

        return index;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;
}
