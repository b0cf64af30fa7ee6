using System.CommandLine;
using System.Globalization;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether lab run --engine watch|supervisor --seeds A..B [--events N] [--chaos none|light|heavy] [--out DIR] [--json]</c>.</summary>
internal sealed class LabRunVerb : Verb
{
    private const string Notes = """
        Runs every seed from A to B: the seeded world produces --events inputs (10,000 by default) and the
        engine's invariants are checked after each one. For the watcher they are: never recover a live agent
        (one that beat within the threshold); never recover one process twice within the debounce window; at
        most one recovery per stall; the agent table, the in-flight table and the debounce ledger within their
        bounds. For the supervisor (a database, a one-shot migration, two api replicas and a worker that
        crash, fail to start, hang in stop, flap their probes and storm, with operator commands, reloads and
        a shutdown at awkward moments and clocks running back): a dependency meets its condition before a
        dependent starts, restarts too; no more restarts within the start limit's interval than its burst; a
        shutdown signals a service only once its dependents' trees ended (unless forced); one instance never
        has two runs alive; the instance table within the replicas asked for. A run ends early once its
        shutdown finished. Seeds run in parallel on every core.

        On a broken invariant it stops and prints the seed, what broke after which input, the one command that
        reproduces it, and where the failing inputs, shrunk by delta debugging to a small trace, were written
        (OUT/ENGINE-seed-N.trace): replay it with 'tether trace replay', read it with 'tether trace events'.

        Exit codes: 0 no invariant broken; 1 one was, or OUT could not be written; 2 a usage error;
        130 interrupted.

        Examples:
          tether lab run --engine watch --seeds 1..1000
          tether lab run --engine watch --seeds 42..42 --chaos heavy --out /tmp/lab
          tether lab run --engine supervisor --seeds 1..500 --chaos heavy

        """;

    private readonly Option<string> _engine = new("--engine") { HelpName = "ENGINE", Description = "The engine to simulate: watch or supervisor.", Required = true };
    private readonly Option<string> _seeds = new("--seeds") { HelpName = "A..B", Description = "The seeds to run, such as 1..1000 (or one seed, such as 42).", Required = true };
    private readonly Option<string> _events = new("--events") { HelpName = "N", Description = "Inputs per seed [default: 10000]." };
    private readonly Option<string> _chaos = new("--chaos") { HelpName = "LEVEL", Description = "How hostile the world is: none, light or heavy [default: light]." };
    private readonly Option<string> _out = new("--out") { HelpName = "DIR", Description = "Where failing seeds' shrunk traces are written [default: the current directory]." };
    private readonly Option<bool> _json;

    public LabRunVerb(VerbContext context)
        : base(context, "run", "Run seeded simulations of an engine, checking its invariants after every input.", "--engine watch|supervisor --seeds A..B [--events N] [--chaos none|light|heavy] [--out DIR] [--json]", Notes)
    {
        Add(_engine);
        Add(_seeds);
        Add(_events);
        Add(_chaos);
        Add(_out);
        _json = AddJsonOption("Print one JSON object: engine, seeds, events, duration_ms, failure (null, or seed, event, violation, shrunk_inputs, shrunk_violation, trace, reproduce) and error.");
        SetAction((parse, _) => Task.FromResult(Run(parse)));
    }

    private int Run(ParseResult parse)
    {
        var engine = parse.GetValue(_engine)!.Trim().ToLowerInvariant();
        var (first, count) = Seeds(parse.GetValue(_seeds)!);
        var events = OptionValues.Integer("--events", parse.GetValue(_events), 1, 10_000_000, "10000") ?? 10_000;
        var chaos = parse.GetValue(_chaos)?.Trim().ToLowerInvariant() switch
        {
            null or "light" => ChaosLevel.Light,
            "none" => ChaosLevel.None,
            "heavy" => ChaosLevel.Heavy,
            var other => throw new UsageException($"--chaos: '{other}' is not a level: write none, light or heavy."),
        };
        var directory = parse.GetValue(_out) ?? ".";
        var options = new SimulationOptions { FirstSeed = first, Seeds = count, EventsPerSeed = events, Chaos = chaos, FailureDirectory = directory };
        var started = TimeProvider.System.GetTimestamp();
        SimulationReport? report;
        try
        {
            report = LabSimulations.Run(engine, options, Interruption.StopRequested);
        }
        catch (OperationCanceledException)
        {
            Console.WriteError("lab run: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"lab run: a failing seed's trace could not be written to '{Printable(directory)}': {ex.Message}");
        }

        if (report is null)
        {
            throw new UsageException($"--engine: '{engine}' is not an engine the lab simulates: write {LabSimulations.Known}.");
        }

        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var failure = report.Failures.FirstOrDefault();
        var message = failure is null ? null : $"lab run: seed {failure.Seed} broke an invariant after event {failure.EventIndex}: {failure.Violation}";
        if (parse.GetValue(_json))
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("engine", report.Engine);
                writer.WriteNumber("seeds", report.SeedsRun);
                writer.WriteNumber("events", report.EventsRun);
                writer.WriteNumber("duration_ms", (long)elapsed.TotalMilliseconds);
                if (failure is not null)
                {
                    writer.WriteStartObject("failure");
                    writer.WriteNumber("seed", failure.Seed);
                    writer.WriteNumber("event", failure.EventIndex);
                    writer.WriteString("violation", failure.Violation);
                    writer.WriteNumber("shrunk_inputs", failure.ShrunkInputs);
                    writer.WriteString("shrunk_violation", failure.ShrunkViolation);
                    writer.WriteString("trace", failure.TracePath);
                    writer.WriteString("reproduce", failure.Reproduce);
                    writer.WriteEndObject();
                    writer.WriteStartObject("error");
                    writer.WriteString("code", JsonErrorCode.Failed);
                    writer.WriteString("message", message);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("failure");
                    writer.WriteNull("error");
                }

                writer.WriteEndObject();
            });
        }
        else if (failure is null)
        {
            var perMinute = report.SeedsRun / Math.Max(elapsed.TotalMinutes, 1e-9);
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Engine}: {report.SeedsRun} seeds × {events} events ({chaos.ToString().ToLowerInvariant()} chaos): no invariant broken, {report.EventsRun} events in {elapsed.TotalSeconds:0.0}s ({perMinute:0} seeds/min)"));
        }
        else
        {
            WriteLine($"seed {failure.Seed}: after event {failure.EventIndex}: {Printable(failure.Violation)}");
            WriteLine($"  reproduce: {failure.Reproduce}");
            WriteLine($"  shrunk to {failure.ShrunkInputs} inputs ({Printable(failure.ShrunkViolation)}): {Printable(failure.TracePath ?? "")}");
        }

        return message is null ? ExitCodes.Success : Fail(message);
    }

    private static (ulong First, int Count) Seeds(string text)
    {
        var parts = text.Trim().Split("..");
        if (parts.Length is 1 or 2
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            && ulong.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            && last >= first && last - first < 100_000_000)
        {
            return (first, (int)(last - first + 1));
        }

        throw new UsageException($"--seeds: '{text}' is not a seed range: write A..B with A ≤ B, such as 1..1000, or one seed, such as 42.");
    }
}
