namespace Tether.Lab;

/// <summary>What a simulation ran and found.</summary>
/// <param name="Engine">The engine kind.</param>
/// <param name="SeedsRun">Seeds run to the end or to their failure.</param>
/// <param name="EventsRun">Inputs fed over all seeds.</param>
/// <param name="Failures">The failing seeds, lowest first.</param>
public sealed record SimulationReport(string Engine, int SeedsRun, long EventsRun, IReadOnlyList<SimulationFailure> Failures);
