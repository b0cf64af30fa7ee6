namespace Tether.Lab;

/// <summary>
/// One engine instance driven by a trace: it takes the recorded inputs in order and says, for each, the hash of the
/// decisions it took (<see cref="DecisionHash"/>), exactly as the recorder computed it when the trace was written.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public interface IReplayEngine<TInput>
{
    /// <summary>Feeds one input and returns the hash of the decisions it caused.</summary>
    ulong Handle(TInput input);

    /// <summary>The decisions the last <see cref="Handle"/> took, one line each, for divergence reports.</summary>
    IReadOnlyList<string> LastDecisions();
}
