using Tether.Lab;

namespace Tether.Supervisor.Tests.Tracing;

/// <summary>Inputs for supervisor trace specs: seeded simulated runs, and recording them to trace bytes.</summary>
internal static class SupervisorTraceFixtures
{
    /// <summary>The inputs of a seeded simulated run (the engine as shipped answers the world's requests).</summary>
    public static List<SupervisorInput> Simulated(ulong seed, int events, ChaosLevel chaos = ChaosLevel.Light)
    {
        var simulation = new SupervisorSimulation();
        var run = simulation.Start(simulation.Header(seed, chaos), chaos);
        var inputs = new List<SupervisorInput>(events);
        while (inputs.Count < events && run.TryNext(out var input))
        {
            inputs.Add(input);
            Assert.Null(run.Feed(input, out _));
        }

        return inputs;
    }

    /// <summary>A trace of <paramref name="inputs"/> (the first a Configure), with the decisions a fresh engine takes.</summary>
    public static byte[] Record(IReadOnlyList<SupervisorInput> inputs)
    {
        var configure = (SupervisorInput.Configure)inputs[0];
        var header = SupervisorTrace.Header(configure.Services, configure.Seed);
        return TraceWriter<SupervisorInput>.Encode(header, new SupervisorInputCodec(), TraceReplayer.Decide(new SupervisorTrace(), header, inputs));
    }
}
