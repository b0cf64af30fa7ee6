namespace Tether.Sessions;

/// <summary>One command line of a <see cref="SessionDiff"/>, and which session holds it.</summary>
/// <param name="Side">Whether the line is in both sessions, only in A or only in B.</param>
/// <param name="Command">The command line, exactly as recorded.</param>
public readonly record struct DiffLine(DiffSide Side, string Command);
