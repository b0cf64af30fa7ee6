namespace Tether.Lab;

/// <summary>
/// Runs seeded simulations of an engine: for each seed, the world generates inputs on a virtual clock, the engine
/// decides, and every invariant is checked after every input. A failing seed is reported with the one command that
/// reproduces it, and its inputs are shrunk (delta debugging) to a small trace that still fails, written as a trace
/// file.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public sealed class Simulator<TInput>(EngineSimulation<TInput> simulation)
{
    /// <summary>Runs the seeds of <paramref name="options"/>.</summary>
    public SimulationReport Run(SimulationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Seeds, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EventsPerSeed, 1, nameof(options));
        var failures = new List<SimulationFailure>();
        var gate = new Lock();
        long events = 0;
        var seedsRun = 0;
        var stop = long.MaxValue; // the lowest failing seed's offset, when stopping at the first failure
        Parallel.For(0, options.Seeds, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = cancellationToken }, (offset, state) =>
        {
            if (offset > Interlocked.Read(ref stop))
            {
                return;
            }

            var seed = options.FirstSeed + (ulong)offset;
            var (ran, failure) = RunSeed(seed, options);
            Interlocked.Add(ref events, ran);
            Interlocked.Increment(ref seedsRun);
            if (failure is not null)
            {
                lock (gate)
                {
                    failures.Add(failure);
                }

                if (options.StopAtFirstFailure)
                {
                    InterlockedMin(ref stop, offset);
                }
            }
        });

        failures.Sort((a, b) => a.Seed.CompareTo(b.Seed));
        if (options.StopAtFirstFailure && failures.Count > 1)
        {
            failures.RemoveRange(1, failures.Count - 1);
        }

        return new SimulationReport(simulation.Trace.Kind, seedsRun, events, failures);
    }

    /// <summary>Runs one seed; returns how many inputs it fed and its failure, if any.</summary>
    public (long Events, SimulationFailure? Failure) RunSeed(ulong seed, SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var header = simulation.Header(seed, options.Chaos);
        var run = simulation.Start(header, options.Chaos);
        var inputs = new List<TInput>(options.EventsPerSeed);
        for (var i = 0; i < options.EventsPerSeed && run.TryNext(out var input); i++)
        {
            inputs.Add(input);
            if (run.Feed(input, out _) is { } violation)
            {
                return (i + 1, Fail(header, seed, i, violation, inputs, options));
            }
        }

        return (inputs.Count, null);
    }

    /// <summary>The first invariant <paramref name="inputs"/> break when fed to a fresh engine, or null.</summary>
    public string? FirstViolation(TraceHeader header, IEnumerable<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var engine = simulation.Check(header);
        foreach (var input in inputs)
        {
            if (engine.Feed(input, out _) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private SimulationFailure Fail(TraceHeader header, ulong seed, int index, string violation, List<TInput> inputs, SimulationOptions options)
    {
        // Shrink towards the same invariant: a smaller input that breaks another one is another bug (or a broken host contract).
        var invariant = Invariant(violation);
        var repair = simulation.Repairer(header, inputs);
        var shrunk = repair(Shrinker.Shrink(inputs, candidate => FirstViolation(header, repair(candidate)) is { } found && Invariant(found) == invariant, options.ShrinkBudget));
        var shrunkViolation = FirstViolation(header, shrunk) ?? violation;
        string? path = null;
        if (options.FailureDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            path = Path.Combine(directory, $"{simulation.Trace.Kind}-seed-{seed}.trace");
            TraceWriter<TInput>.WriteFile(path, header, simulation.Trace.CreateCodec(), TraceReplayer.Decide(simulation.Trace, header, shrunk));
        }

        var chaos = options.Chaos.ToString().ToLowerInvariant();
        var reproduce = $"tether lab run --engine {simulation.Trace.Kind} --seeds {seed}..{seed} --events {options.EventsPerSeed} --chaos {chaos}";
        return new SimulationFailure(seed, index, violation, shrunk.Count, shrunkViolation, path, reproduce);
    }

    /// <summary>The invariant a violation names: its text before the first ':'.</summary>
    public static string Invariant(string violation)
    {
        ArgumentNullException.ThrowIfNull(violation);
        var colon = violation.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? violation : violation[..colon];
    }

    private static void InterlockedMin(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
