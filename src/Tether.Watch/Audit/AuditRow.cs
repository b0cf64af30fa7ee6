using System.Globalization;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// One row of the audit log (docs/formats/audit.md): <c>seq TAB time TAB kind TAB chain</c>, then the kind's
/// <c>key=value</c> fields, each after a tab. Returned by the <see cref="AuditLog"/> methods that append a row, and
/// read back by <see cref="TryParse"/>.
/// </summary>
public sealed class AuditRow
{
    private AuditRow(ulong seq, DateTimeOffset time, AuditRowKind kind, string chain, IReadOnlyList<KeyValuePair<string, string>> fields, string text, string line)
    {
        Seq = seq;
        Time = time;
        Kind = kind;
        Chain = chain;
        Fields = fields;
        Text = text;
        Line = line;
    }

    /// <summary>The row's sequence number: 1 for a log's first row, then one more for every row, across restarts and rotations.</summary>
    public ulong Seq { get; }

    /// <summary>When the row was written, UTC, to the microsecond.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>What the row records.</summary>
    public AuditRowKind Kind { get; }

    /// <summary>The row's chain value: 64 lower-case hex digits of SHA-256 (see docs/formats/audit.md).</summary>
    public string Chain { get; }

    /// <summary>The kind's fields in file order, keys as written (<c>pid</c>, <c>reason</c>, …), values as written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <summary>The row text that is hashed: every column but the chain, joined by tabs.</summary>
    public string Text { get; }

    /// <summary>The row exactly as it stands in the file, without its line end.</summary>
    public string Line { get; }

    /// <summary>The value of field <paramref name="key"/>, or null when the row has no such field.</summary>
    public string? this[string key]
    {
        get
        {
            foreach (var (k, v) in Fields)
            {
                if (k == key)
                {
                    return v;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Reads one row (a line without its line end). Checks the syntax only — columns, seq, time, kind, chain shape,
    /// <c>key=value</c> fields with distinct keys — not the chain value, which needs the row before it
    /// (<see cref="AuditVerifier"/> checks that).
    /// </summary>
    /// <param name="line">The row's text.</param>
    /// <param name="row">The row, when it reads.</param>
    /// <returns>True when <paramref name="line"/> is a well-formed row.</returns>
    public static bool TryParse(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AuditRow? row) => TryRead(line, out row, out _);

    /// <summary>Reads one row, or says in <paramref name="error"/> what is wrong with it.</summary>
    internal static bool TryRead(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AuditRow? row, out string error)
    {
        ArgumentNullException.ThrowIfNull(line);
        row = null;
        var columns = line.Split('\t');
        if (columns.Length < 4)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"the row has {columns.Length} tab-separated columns, and a row has at least 4 (seq, time, kind, chain)");
            return false;
        }

        if (!AuditFormat.TryParseSeq(columns[0], out var seq))
        {
            error = $"the seq column '{Shorten(columns[0])}' is not a whole number of 1 or more";
            return false;
        }

        if (!AuditFormat.TryParseTime(columns[1], out var time))
        {
            error = $"the time column '{Shorten(columns[1])}' is not a UTC time such as 2030-01-01T00:00:00.000000Z";
            return false;
        }

        if (!AuditFormat.TryParseKind(columns[2], out var kind))
        {
            error = $"the kind column '{Shorten(columns[2])}' is not boot, spawn, complete or refused";
            return false;
        }

        if (!AuditFormat.TryParseChain(columns[3], out _))
        {
            error = $"the chain column '{Shorten(columns[3])}' is not 64 lower-case hex digits";
            return false;
        }

        var fields = new List<KeyValuePair<string, string>>(columns.Length - 4);
        for (var i = 4; i < columns.Length; i++)
        {
            var column = columns[i];
            var equals = column.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !AuditFormat.IsKey(column.AsSpan(0, equals)))
            {
                error = $"column {i + 1} '{Shorten(column)}' is not a field key=value with a lower-case key";
                return false;
            }

            var key = column[..equals];
            if (fields.Exists(f => f.Key == key))
            {
                error = $"the field '{key}' appears twice";
                return false;
            }

            fields.Add(new(key, column[(equals + 1)..]));
        }

        var text = new StringBuilder(line.Length);
        text.Append(columns[0]).Append('\t').Append(columns[1]).Append('\t').Append(columns[2]);
        for (var i = 4; i < columns.Length; i++)
        {
            text.Append('\t').Append(columns[i]);
        }

        row = new AuditRow(seq, time, kind, columns[3], fields, text.ToString(), line);
        error = "";
        return true;
    }

    /// <summary>Builds a new row: its text, its chain from <paramref name="previousChain"/>, and its line.</summary>
    internal static AuditRow Create(ulong seq, DateTimeOffset time, AuditRowKind kind, ReadOnlySpan<byte> previousChain, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var stamp = AuditFormat.Truncate(time);
        var text = new StringBuilder(128);
        text.Append(seq.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(AuditFormat.FormatTime(stamp)).Append('\t').Append(AuditFormat.KindName(kind));
        var rest = new StringBuilder(96);
        foreach (var (key, value) in fields)
        {
            rest.Append('\t').Append(key).Append('=').Append(value);
        }

        var rowText = text.ToString() + rest;
        var chain = AuditFormat.Hex(AuditFormat.Chain(kind, previousChain, rowText));
        var line = text.Append('\t').Append(chain).Append(rest).ToString();
        return new AuditRow(seq, stamp, kind, chain, fields, rowText, line);
    }

    /// <summary>The row as it stands in the file, without its line end.</summary>
    public override string ToString() => Line;

    private static string Shorten(string text)
    {
        var clean = AuditFormat.Clean(text);
        return clean.Length > 40 ? clean[..39] + "…" : clean;
    }
}
