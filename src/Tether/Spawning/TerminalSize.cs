namespace Tether;

/// <summary>The size of a pseudo-terminal, in character cells.</summary>
public readonly record struct TerminalSize
{
    /// <summary>A size of <paramref name="columns"/> × <paramref name="rows"/> (each 1 to 65535).</summary>
    public TerminalSize(int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, ushort.MaxValue);
        Columns = columns;
        Rows = rows;
    }

    /// <summary>Columns (characters per line).</summary>
    public int Columns { get; }

    /// <summary>Rows (lines).</summary>
    public int Rows { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Columns}x{Rows}";
}
