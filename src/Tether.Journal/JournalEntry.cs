using System.Text.Json.Nodes;

namespace Tether.Journaling;

/// <summary>
/// A record to append, before the journal has given it a sequence number and a timestamp. Immutable once built; the
/// <see cref="Data"/> object is serialized when <see cref="Journal.AppendAsync"/> is called, so changing it afterwards
/// changes nothing in the journal.
/// </summary>
public sealed class JournalEntry
{
    /// <summary>The longest <see cref="Type"/>, in characters.</summary>
    public const int MaxTypeLength = 128;

    /// <summary>The longest <see cref="Job"/>, in characters.</summary>
    public const int MaxJobLength = 256;

    /// <summary>Types starting with this prefix are written by the journal itself (e.g. <c>journal.tail_repaired</c>) and
    /// cannot be appended by callers.</summary>
    public const string ReservedTypePrefix = "journal.";

    /// <summary>Builds an entry.</summary>
    /// <param name="type">A dotted name of lower-case segments (<c>[a-z0-9_-]</c>, each starting with a letter or digit),
    /// e.g. <c>job.started</c>; at most <see cref="MaxTypeLength"/> characters. Names starting with
    /// <see cref="ReservedTypePrefix"/> are refused.</param>
    /// <param name="job">The job the record belongs to, or null; 1 to <see cref="MaxJobLength"/> characters, no control
    /// characters.</param>
    /// <param name="data">Payload fields, or null for none.</param>
    /// <exception cref="ArgumentException">A name is empty, too long, badly formed or reserved.</exception>
    public JournalEntry(string type, string? job = null, JsonObject? data = null)
        : this(type, job, data, allowReserved: false)
    {
    }

    internal JournalEntry(string type, string? job, JsonObject? data, bool allowReserved)
    {
        ValidateType(type, allowReserved);
        ValidateJob(job);
        Type = type;
        Job = job;
        Data = data;
    }

    /// <summary>The record's type, e.g. <c>job.started</c>.</summary>
    public string Type { get; }

    /// <summary>The job the record belongs to, or null.</summary>
    public string? Job { get; }

    /// <summary>The payload fields, or null.</summary>
    public JsonObject? Data { get; }

    /// <summary>Whether <paramref name="type"/> is a well-formed record type (not checking the reserved prefix).</summary>
    public static bool IsValidType(string? type)
    {
        if (string.IsNullOrEmpty(type) || type.Length > MaxTypeLength)
        {
            return false;
        }

        var segmentStart = true;
        foreach (var c in type)
        {
            if (c == '.')
            {
                if (segmentStart)
                {
                    return false;
                }

                segmentStart = true;
                continue;
            }

            var letterOrDigit = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (segmentStart ? !letterOrDigit : !(letterOrDigit || c is '_' or '-'))
            {
                return false;
            }

            segmentStart = false;
        }

        return !segmentStart;
    }

    private static void ValidateType(string type, bool allowReserved)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!IsValidType(type))
        {
            throw new ArgumentException(
                $"'{Shorten(type)}' is not a record type: use dotted lower-case names such as 'job.started' (segments of a-z, 0-9, '_' and '-', at most {MaxTypeLength} characters).",
                nameof(type));
        }

        if (!allowReserved && type.StartsWith(ReservedTypePrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Record type '{type}' is reserved: types starting with '{ReservedTypePrefix}' are written by the journal itself.", nameof(type));
        }
    }

    private static void ValidateJob(string? job)
    {
        if (job is null)
        {
            return;
        }

        if (job.Length == 0 || job.Length > MaxJobLength)
        {
            throw new ArgumentException($"A job name must have 1 to {MaxJobLength} characters (got {job.Length}).", nameof(job));
        }

        foreach (var c in job)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"Job name '{Shorten(job)}' contains a control character.", nameof(job));
            }
        }
    }

    private static string Shorten(string value) => value.Length > 64 ? value[..64] + "…" : value;
}
