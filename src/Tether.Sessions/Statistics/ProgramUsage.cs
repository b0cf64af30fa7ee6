namespace Tether.Sessions;

/// <summary>How many recorded command lines start with a program.</summary>
/// <param name="Program">The first word of the command lines, as written (<c>git</c>, <c>./deploy.sh</c>).</param>
/// <param name="Count">How many command lines start with it.</param>
public readonly record struct ProgramUsage(string Program, int Count);
