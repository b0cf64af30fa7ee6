using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Tether.Sessions;

/// <summary>
/// The spool: what a recording shell's hooks append to <c>PID-STARTTIME.spool</c>, with shell builtins only (no
/// process is started per command in bash and zsh). Version 1, read by <see cref="Parse"/>.
/// </summary>
/// <remarks>
/// <para>
/// UTF-8 text, one record per line, each ending with <c>\n</c>; fields are separated by a tab. Three kinds, told by the
/// first field:
/// </para>
/// <code>
/// B &lt;TAB&gt; started &lt;TAB&gt; cwd &lt;TAB&gt; command     a command begins (written just before it runs)
/// E &lt;TAB&gt; ended &lt;TAB&gt; exit-code                   the command that began last has ended
/// D                                            forget the command that began last (the `tether rec stop` that ends
///                                              the recording: the shell function writes it)
/// </code>
/// <para>
/// A <c>B</c> line whose command only runs <c>tether rec …</c> (however it is written: <see cref="RecVerbLine"/>) is
/// read and left out, with the <c>E</c> or <c>D</c> that follows it: starting, querying or stopping a recording is not
/// part of the work it records, and would break a replay or an exported script.
/// </para>
/// <para>
/// <c>started</c> and <c>ended</c> are seconds since the Unix epoch with an optional fraction after a <c>.</c> or a
/// <c>,</c> (bash prints <c>$EPOCHREALTIME</c> with the locale's decimal separator); digits beyond the seventh
/// fractional digit are ignored. <c>exit-code</c> is a non-negative integer (<c>$?</c>, <c>$status</c>).
/// <c>cwd</c> and <c>command</c> are escaped so that they hold no tab or line break: <c>\\</c> is a backslash,
/// <c>\t</c> a tab, <c>\n</c> a line feed, <c>\r</c> a carriage return; a backslash before anything else stands for
/// itself. Example (tabs shown as →):
/// </para>
/// <code>
/// B→1769862000.125000→/home/ann/src→printf '%s\n' "a→b"   is written as
/// B→1769862000.125000→/home/ann/src→printf '%s\\n' "a\tb"
/// E→1769862000.131512→0
/// </code>
/// <para>
/// Decoding, in order: (1) the bytes after the last <c>\n</c>, if any, are a torn line (the shell died while writing
/// it) and are skipped, reported as <see cref="SessionProblemKinds.TornLine"/>; (2) each line is decoded as UTF-8
/// (invalid bytes become U+FFFD) and split at tabs; (3) a <c>B</c> opens a command (a command still open stays
/// unfinished: no end time, exit code or duration), an <c>E</c> closes the open command, a <c>D</c> drops it; (4) a
/// line of another kind is skipped as <see cref="SessionProblemKinds.UnknownKind"/>, a malformed one as
/// <see cref="SessionProblemKinds.CorruptLine"/>, an <c>E</c> or <c>D</c> with no open command as
/// <see cref="SessionProblemKinds.OutOfPlace"/> — each with its line number; the rest is kept. A command's duration
/// is its end minus its start, never below zero (a clock stepped back between the two reads as zero).
/// </para>
/// </remarks>
internal static class Spool
{
    /// <summary>The largest spool read (256 MiB); a bigger one is refused and left in place.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>The commands and problems of a spool's content.</summary>
    public static SpoolContent Parse(ReadOnlySpan<byte> content)
    {
        var commands = ImmutableArray.CreateBuilder<RecordedCommand>();
        var problems = new List<SessionProblem>();
        RecordedCommand? open = null;
        var dropped = false; // the last B was a `tether rec …` line, left out of the recording
        var lineNumber = 0;

        void Close(RecordedCommand? ended = null)
        {
            commands.Add((ended ?? open!) with { Index = commands.Count });
            open = null;
        }

        while (!content.IsEmpty)
        {
            lineNumber++;
            var newline = content.IndexOf((byte)'\n');
            if (newline < 0)
            {
                problems.Add(new SessionProblem(lineNumber, SessionProblemKinds.TornLine,
                    $"the last line has no end ({content.Length} bytes; the shell died while writing it) and was skipped"));
                break;
            }

            var line = Encoding.UTF8.GetString(content[..newline]);
            content = content[(newline + 1)..];
            var fields = line.Split('\t');
            switch (fields[0])
            {
                case "B" when fields.Length == 4 && TryParseTime(fields[1], out var started):
                    if (open is not null)
                    {
                        Close();
                    }

                    var typed = Unescape(fields[3]);
                    dropped = RecVerbLine.IsRecOnly(typed);
                    open = dropped ? null : new RecordedCommand { Index = 0, Started = started, Cwd = Unescape(fields[2]), Command = typed };
                    break;
                case "E" or "D" when open is null && dropped:
                    dropped = false; // the end (or the shell function's drop) of a `tether rec …` line left out
                    break;
                case "E" when fields.Length == 3 && TryParseTime(fields[1], out var ended)
                                                 && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var exitCode):
                    if (open is null)
                    {
                        problems.Add(new SessionProblem(lineNumber, SessionProblemKinds.OutOfPlace, "an end with no command begun before it; skipped"));
                        break;
                    }

                    var duration = ended - open.Started;
                    Close(open with { Ended = ended, ExitCode = exitCode, Duration = duration < TimeSpan.Zero ? TimeSpan.Zero : duration });
                    break;
                case "D" when fields.Length == 1:
                    if (open is null)
                    {
                        problems.Add(new SessionProblem(lineNumber, SessionProblemKinds.OutOfPlace, "a drop with no command begun before it; skipped"));
                    }

                    open = null;
                    break;
                case "B" or "E" or "D":
                    problems.Add(new SessionProblem(lineNumber, SessionProblemKinds.CorruptLine, $"a malformed '{fields[0]}' line ({fields.Length} fields); skipped"));
                    break;
                default:
                    problems.Add(new SessionProblem(lineNumber, SessionProblemKinds.UnknownKind,
                        $"a line of unknown kind '{Shorten(fields[0])}'; skipped"));
                    break;
            }
        }

        if (open is not null)
        {
            Close(); // began and never ended: the shell died (or the recording was stopped from elsewhere) meanwhile
        }

        return new SpoolContent(commands.ToImmutable(), problems);
    }

    // 9999-12-31T23:59:59Z, the last second a DateTimeOffset holds.
    private const long LatestSecond = 253_402_300_799;

    /// <summary>Seconds since the epoch, with an optional fraction after '.' or ','.</summary>
    internal static bool TryParseTime(string text, out DateTimeOffset time)
    {
        time = default;
        var separator = text.IndexOfAny(['.', ',']);
        var whole = separator < 0 ? text : text[..separator];
        var fraction = separator < 0 ? "" : text[(separator + 1)..];
        if (whole.Length is 0 or > 12
            || !long.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > LatestSecond
            || (fraction.Length > 0 && !fraction.All(char.IsAsciiDigit)))
        {
            return false;
        }

        var ticks = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(7, '0')[..7], NumberStyles.None, CultureInfo.InvariantCulture);
        time = DateTimeOffset.UnixEpoch.AddSeconds(seconds).AddTicks(ticks);
        return true;
    }

    internal static string Unescape(string text)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 == text.Length)
            {
                result.Append(text[i]);
                continue;
            }

            switch (text[i + 1])
            {
                case '\\': result.Append('\\'); i++; break;
                case 't': result.Append('\t'); i++; break;
                case 'n': result.Append('\n'); i++; break;
                case 'r': result.Append('\r'); i++; break;
                default: result.Append('\\'); break;
            }
        }

        return result.ToString();
    }

    // Problems end up on a terminal: no control characters, and no more than a glimpse of a strange line.
    private static string Shorten(string text)
    {
        var printable = new string(text.Take(20).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return text.Length <= 20 ? printable : printable + "…";
    }
}

/// <summary>What a spool holds.</summary>
/// <param name="Commands">The commands, indexed from 0 in the order they began.</param>
/// <param name="Problems">The lines skipped, by line number.</param>
internal sealed record SpoolContent(ImmutableArray<RecordedCommand> Commands, IReadOnlyList<SessionProblem> Problems)
{
    public static SpoolContent Empty { get; } = new([], []);
}
