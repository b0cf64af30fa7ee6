using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>A <see cref="SupervisorEngine"/> driven by a trace: each input's decisions are hashed as the recorder hashed them.</summary>
internal sealed class SupervisorReplayEngine(SupervisorEngine engine) : IReplayEngine<SupervisorInput>
{
    private readonly List<SupervisorDecision> _decisions = [];

    public SupervisorEngine Engine => engine;

    /// <summary>The decisions of the last input.</summary>
    public IReadOnlyList<SupervisorDecision> Decisions => _decisions;

    public ulong Handle(SupervisorInput input)
    {
        _decisions.Clear();
        engine.Handle(input, _decisions);
        return SupervisorDecisions.Hash(_decisions);
    }

    public IReadOnlyList<string> LastDecisions() => [.. _decisions.Select(SupervisorDecisions.Describe)];
}
