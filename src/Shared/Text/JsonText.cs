using System.Text.Json;
using System.Text.Unicode;

namespace Tether.Text;

/// <summary>
/// Checks that every string and member name in a JSON line is Unicode text. <see cref="JsonDocument"/> accepts a line
/// with an invalid UTF-8 byte or an unpaired surrogate escape (<c>\ud800</c>) and only <c>GetString()</c> throws, long
/// after parsing. Journal records (whose checksum can be right over a bad byte) and session files (which carry no
/// checksum, so one flipped bit is enough) both check their text here.
/// </summary>
internal static class JsonText
{
    /// <summary>
    /// Whether all text in <paramref name="line"/> decodes. A line that is not JSON at all counts as valid here: the
    /// parser reports that with its own, better message.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsText(ref reader))
                {
                    return false;
                }
            }
        }
        catch (JsonException)
        {
            return true;
        }

        return true;
    }

    /// <summary>Whether the reader's current string or member name decodes: valid UTF-8, and no escape that yields an
    /// unpaired surrogate (<c>\ud800</c>).</summary>
    public static bool IsText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }

        try
        {
            // The reader decodes escapes only this way; it throws for an unpaired surrogate or an invalid byte.
            _ = reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
