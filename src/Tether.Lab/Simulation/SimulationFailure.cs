namespace Tether.Lab;

/// <summary>A seed whose run broke an invariant.</summary>
/// <param name="Seed">The seed.</param>
/// <param name="EventIndex">The input after which the invariant broke.</param>
/// <param name="Violation">The invariant and how it broke, in one line.</param>
/// <param name="ShrunkInputs">Inputs in the shrunk failing trace.</param>
/// <param name="ShrunkViolation">What the shrunk trace breaks (it may be found earlier, as another symptom of the same bug).</param>
/// <param name="TracePath">Where the shrunk trace was written, or null.</param>
/// <param name="Reproduce">The one command that reproduces the run.</param>
public sealed record SimulationFailure(ulong Seed, long EventIndex, string Violation, int ShrunkInputs, string ShrunkViolation, string? TracePath, string Reproduce);
