using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The rules of the audit log's text (docs/formats/audit.md), shared by the writer and the verifier: header, columns,
/// timestamps, the hash chain and how free text is made safe.
/// </summary>
internal static class AuditFormat
{
    /// <summary>The first column of every header line.</summary>
    public const string Magic = "#tether-audit";

    /// <summary>The second column of every header line: the format version.</summary>
    public const string Version = "v1";

    /// <summary>The header of a log's first file: <c>#tether-audit\tv1</c>.</summary>
    public const string PlainHeader = Magic + "\t" + Version;

    /// <summary>The domain tag that starts every hashed message, so an audit chain is never a valid hash of anything else.</summary>
    public const string DomainTag = "tether-audit-v1";

    /// <summary>The longest line (without its line end) a reader accepts; the writer's rows are far shorter.</summary>
    public const int MaxLineBytes = 64 * 1024;

    /// <summary>Free text longer than this many characters is cut and ends with <c>…</c>.</summary>
    public const int MaxTextLength = 512;

    /// <summary>Bytes of a chain value.</summary>
    public const int ChainBytes = 32;

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private static readonly byte[] DomainPrefix = [.. Encoding.UTF8.GetBytes(DomainTag), 0];

    /// <summary>UTF-8 that refuses invalid bytes instead of replacing them: a reader must see the bytes that were hashed.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The header of a file that continues a log: <c>#tether-audit\tv1\tprev-seq=N\tprev-chain=HEX</c>.</summary>
    public static string Header(ulong? previousSeq, ReadOnlySpan<byte> previousChain) =>
        previousSeq is { } seq
            ? string.Create(CultureInfo.InvariantCulture, $"{PlainHeader}\tprev-seq={seq}\tprev-chain={Hex(previousChain)}")
            : PlainHeader;

    /// <summary>Reads a header line; on failure, <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParseHeader(string line, out ulong? previousSeq, out byte[]? previousChain, out string error)
    {
        previousSeq = null;
        previousChain = null;
        var columns = line.Split('\t');
        if (columns[0] != Magic)
        {
            error = $"the first line is not an audit header (it must start with '{Magic}' and a tab)";
            return false;
        }

        if (columns.Length < 2 || columns[1] != Version)
        {
            error = $"the header names version '{(columns.Length < 2 ? "" : columns[1])}', and only {Version} is known";
            return false;
        }

        if (columns.Length == 2)
        {
            error = "";
            return true;
        }

        if (columns.Length != 4
            || !columns[2].StartsWith("prev-seq=", StringComparison.Ordinal)
            || !TryParseSeq(columns[2]["prev-seq=".Length..], out var seq)
            || !columns[3].StartsWith("prev-chain=", StringComparison.Ordinal)
            || !TryParseChain(columns[3]["prev-chain=".Length..], out var chain))
        {
            error = "the header's link to the previous file is not 'prev-seq=N<tab>prev-chain=<64 lower-case hex digits>'";
            return false;
        }

        previousSeq = seq;
        previousChain = chain;
        error = "";
        return true;
    }

    /// <summary>
    /// The chain value of a row: SHA-256 over the domain tag, 0x00, the kind, 0x00, the previous row's chain (32 raw
    /// bytes) and the row text (UTF-8).
    /// </summary>
    public static byte[] Chain(AuditRowKind kind, ReadOnlySpan<byte> previousChain, string rowText)
    {
        var kindName = KindName(kind);
        var length = DomainPrefix.Length + kindName.Length + 1 + ChainBytes + Encoding.UTF8.GetByteCount(rowText);
        var message = new byte[length];
        var at = 0;
        DomainPrefix.CopyTo(message, at);
        at += DomainPrefix.Length;
        at += Encoding.ASCII.GetBytes(kindName, message.AsSpan(at));
        message[at++] = 0;
        previousChain.CopyTo(message.AsSpan(at));
        at += ChainBytes;
        Encoding.UTF8.GetBytes(rowText, message.AsSpan(at));
        return SHA256.HashData(message);
    }

    /// <summary>The kind as written in the file: <c>boot</c>, <c>spawn</c>, <c>complete</c>, <c>refused</c>.</summary>
    public static string KindName(AuditRowKind kind) => kind switch
    {
        AuditRowKind.Boot => "boot",
        AuditRowKind.Spawn => "spawn",
        AuditRowKind.Complete => "complete",
        AuditRowKind.Refused => "refused",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a row kind of audit format v1."),
    };

    /// <summary>Reads a kind column; v1 knows exactly four.</summary>
    public static bool TryParseKind(string text, out AuditRowKind kind)
    {
        switch (text)
        {
            case "boot":
                kind = AuditRowKind.Boot;
                return true;
            case "spawn":
                kind = AuditRowKind.Spawn;
                return true;
            case "complete":
                kind = AuditRowKind.Complete;
                return true;
            case "refused":
                kind = AuditRowKind.Refused;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>A timestamp as written: UTC, RFC 3339, exactly six fractional digits.</summary>
    public static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary><paramref name="time"/> cut to what the file holds (whole microseconds, UTC).</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    /// <summary>Reads a timestamp written by <see cref="FormatTime"/>, and only that exact shape.</summary>
    public static bool TryParseTime(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>A seq: decimal digits, no sign, no leading zero, 1 or more.</summary>
    public static bool TryParseSeq(string text, out ulong seq)
    {
        seq = 0;
        return text.Length is > 0 and <= 20
            && text[0] is >= '1' and <= '9'
            && text.All(char.IsAsciiDigit)
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seq);
    }

    /// <summary>A chain value: exactly 64 lower-case hex digits.</summary>
    public static bool TryParseChain(string text, out byte[] chain)
    {
        chain = [];
        if (text.Length != ChainBytes * 2 || !text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            return false;
        }

        chain = Convert.FromHexString(text);
        return true;
    }

    /// <summary>Lower-case hex of a chain value.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>
    /// Free text made safe for one column: every control character (tab, CR, LF, the rest of C0, DEL, C1) and every
    /// Unicode line or paragraph separator becomes a space, a lone surrogate becomes U+FFFD, and text longer than
    /// <see cref="MaxTextLength"/> characters is cut and ends with <c>…</c>. So no value can start a column or a row.
    /// </summary>
    public static string Clean(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var cut = text.Length > MaxTextLength;
        var source = cut ? text.AsSpan(0, MaxTextLength - 1) : text.AsSpan();
        var builder = new StringBuilder(source.Length + 1);
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            if (char.IsHighSurrogate(c) && i + 1 < source.Length && char.IsLowSurrogate(source[i + 1]))
            {
                builder.Append(c).Append(source[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                builder.Append(' ');
            }
            else
            {
                builder.Append(c);
            }
        }

        if (cut)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }

    /// <summary>A field key: lower-case ASCII letters, digits and <c>_</c>, starting with a letter.</summary>
    public static bool IsKey(ReadOnlySpan<char> key)
    {
        if (key.IsEmpty || key[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in key)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
