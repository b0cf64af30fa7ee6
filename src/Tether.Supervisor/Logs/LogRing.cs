namespace Tether.Supervisor.Logs;

/// <summary>
/// The last lines of one service, in memory, for <c>tether logs</c>: a fixed-size circular buffer, so a flooding
/// service costs the same memory as a quiet one. Thread-safe: the output pumps add, the control API reads.
/// </summary>
internal sealed class LogRing
{
    private readonly LogLine?[] _lines;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    /// <summary>Creates a ring that keeps <paramref name="capacity"/> lines (at least 1).</summary>
    public LogRing(int capacity) => _lines = new LogLine?[Math.Max(1, capacity)];

    /// <summary>How many lines the ring keeps at most.</summary>
    public int Capacity => _lines.Length;

    /// <summary>Keeps <paramref name="line"/>, forgetting the oldest when full.</summary>
    public void Add(LogLine line)
    {
        lock (_gate)
        {
            _lines[_next] = line;
            _next = (_next + 1) % _lines.Length;
            _count = Math.Min(_count + 1, _lines.Length);
        }
    }

    /// <summary>The last <paramref name="count"/> lines kept (fewer when the ring holds fewer), oldest first.</summary>
    public List<LogLine> Last(int count)
    {
        lock (_gate)
        {
            var take = Math.Clamp(count, 0, _count);
            var result = new List<LogLine>(take);
            var start = (_next - take + _lines.Length) % _lines.Length;
            for (var i = 0; i < take; i++)
            {
                result.Add(_lines[(start + i) % _lines.Length]!);
            }

            return result;
        }
    }
}
