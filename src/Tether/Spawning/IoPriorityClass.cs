namespace Tether;

/// <summary>The Linux I/O scheduling classes (<c>ioprio_set(2)</c>).</summary>
public enum IoPriorityClass
{
    /// <summary>Served before everything else; needs <c>CAP_SYS_ADMIN</c>.</summary>
    RealTime = 1,

    /// <summary>The default class, with levels 0 (highest) to 7.</summary>
    BestEffort = 2,

    /// <summary>Served only when no other process needs the disk.</summary>
    Idle = 3,
}
