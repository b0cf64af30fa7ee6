using System.Buffers.Text;
using System.Globalization;

namespace Tether.ProcFs;

/// <summary>
/// The fields of <c>/proc/PID/stat</c> Tether reads: state (field 3), parent pid (field 4) and start time (field 22,
/// clock ticks since boot). A pid and its start time name one process for the life of a boot: two readings that
/// differ mean the pid was reused.
/// </summary>
/// <param name="State">The state letter (<c>R</c>, <c>S</c>, <c>Z</c>, …).</param>
/// <param name="ParentPid">The parent's pid.</param>
/// <param name="StartTime">The start time in clock ticks since boot.</param>
internal readonly record struct ProcStat(char State, int ParentPid, ulong StartTime)
{
    // A stat line is 52 numeric fields after a comm of at most 64 bytes (TASK_COMM_LEN is 16 today); 2 KiB holds any.
    private const int BufferSize = 2048;

    /// <summary>Whether the process has exited and only waits to be reaped (or is being torn down).</summary>
    public bool IsDead => State is 'Z' or 'X' or 'x';

    /// <summary>Reads <c>/proc/<paramref name="pid"/>/stat</c>; null when there is no such process, it cannot be read,
    /// or the line is malformed. Never throws for a missing process.</summary>
    public static ProcStat? Read(int pid)
    {
        if (pid <= 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[BufferSize];
        int length;
        try
        {
            using var handle = File.OpenHandle(string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/stat"));
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(buffer[..length]);
    }

    /// <summary>
    /// Parses a <c>/proc/PID/stat</c> line. The command name (field 2) is in parentheses and may hold spaces and
    /// parentheses of its own, so the fields are counted from the last <c>)</c>. Null for a malformed line.
    /// </summary>
    public static ProcStat? Parse(ReadOnlySpan<byte> stat)
    {
        var close = stat.LastIndexOf((byte)')');
        if (close < 0)
        {
            return null;
        }

        // After ") " come field 3 (state), 4 (parent), 5, …: starttime is the 20th of them.
        var rest = stat[(close + 1)..];
        var state = '\0';
        var parent = 0;
        for (var field = 3; field <= 22; field++)
        {
            if (rest.IsEmpty || rest[0] != (byte)' ')
            {
                return null;
            }

            rest = rest[1..];
            var end = rest.IndexOfAny((byte)' ', (byte)'\n');
            var text = end < 0 ? rest : rest[..end];
            switch (field)
            {
                case 3 when text.Length == 1:
                    state = (char)text[0];
                    break;
                case 3:
                    return null;
                case 4 when Utf8Parser.TryParse(text, out int p, out var used) && used == text.Length && text.Length > 0:
                    parent = p;
                    break;
                case 4:
                    return null;
                case 22:
                    return Utf8Parser.TryParse(text, out ulong ticks, out var consumed) && consumed == text.Length && text.Length > 0
                        ? new ProcStat(state, parent, ticks)
                        : null;
            }

            rest = end < 0 ? [] : rest[end..];
        }

        return null;
    }
}
