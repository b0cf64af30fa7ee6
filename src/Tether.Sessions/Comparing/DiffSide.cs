namespace Tether.Sessions;

/// <summary>Where a command line of a <see cref="SessionDiff"/> comes from.</summary>
public enum DiffSide
{
    /// <summary>The line is in both sessions, at this point of the common order.</summary>
    Both,

    /// <summary>The line is only in the first session (A).</summary>
    OnlyA,

    /// <summary>The line is only in the second session (B).</summary>
    OnlyB,
}
