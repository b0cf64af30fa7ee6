namespace Tether.Lab;

/// <summary>
/// One seeded simulated run: a world that produces the engine's inputs — and answers its requests — on a virtual
/// clock, and the engine under invariant checks. The same seed always gives the same inputs.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public interface ISimulationRun<TInput> : ICheckedEngine<TInput>
{
    /// <summary>The world's next input; false when the run has produced all it will.</summary>
    bool TryNext(out TInput input);
}
