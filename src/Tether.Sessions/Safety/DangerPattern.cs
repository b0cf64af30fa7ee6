namespace Tether.Sessions;

/// <summary>A custom danger pattern, as a configuration file gives it (<see cref="DangerRules.FromConfig"/>).</summary>
/// <param name="Id">The rule's id, reported in findings; unique among the rules.</param>
/// <param name="Pattern">A .NET regular expression, matched case-insensitively against each simple command.</param>
/// <param name="Reason">Why a match is dangerous, in words.</param>
public sealed record DangerPattern(string Id, string Pattern, string Reason);
