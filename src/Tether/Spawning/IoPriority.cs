namespace Tether;

/// <summary>A child's I/O priority: a class and, for the real-time and best-effort classes, a level from 0 (highest) to 7.</summary>
public readonly record struct IoPriority
{
    private IoPriority(IoPriorityClass @class, int level)
    {
        Class = @class;
        Level = level;
    }

    /// <summary>The scheduling class.</summary>
    public IoPriorityClass Class { get; }

    /// <summary>The level within the class, 0 (highest) to 7; always 0 for <see cref="IoPriorityClass.Idle"/>.</summary>
    public int Level { get; }

    /// <summary>The idle class: the child gets the disk only when nobody else wants it.</summary>
    public static IoPriority Idle => new(IoPriorityClass.Idle, 0);

    /// <summary>The best-effort class at <paramref name="level"/> (0 highest, 7 lowest; 4 is the kernel's default).</summary>
    public static IoPriority BestEffort(int level) => new(IoPriorityClass.BestEffort, CheckLevel(level));

    /// <summary>The real-time class at <paramref name="level"/> (0 highest, 7 lowest); needs <c>CAP_SYS_ADMIN</c>.</summary>
    public static IoPriority RealTime(int level) => new(IoPriorityClass.RealTime, CheckLevel(level));

    /// <summary>The value <c>ioprio_set</c> takes.</summary>
    internal int Encoded => ((int)Class << Interop.Libc.IOPRIO_CLASS_SHIFT) | Level;

    /// <inheritdoc/>
    public override string ToString() => Class == IoPriorityClass.Idle ? "idle" : $"{Class} {Level}";

    private static int CheckLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 7);
        return level;
    }
}
