namespace Tether.Cli.Commands;

/// <summary><c>tether lab VERB</c>: seeded simulation of Tether's engines.</summary>
internal sealed class LabGroup(VerbContext context) : VerbGroup(
    context,
    "lab",
    "Find bugs in Tether's engines by seeded simulation with invariant checks.",
    usage: null,
    Notes,
    new LabRunVerb(context))
{
    private const string Notes = """
        The lab runs an engine against a simulated world on a virtual clock — for the watcher: agents beating
        with jitter, stalls, pid reuse, clocks running back, floods, duplicated, dropped and reordered datagrams,
        spoofed senders — and checks its invariants after every input. A seed always gives the same run, so a
        failing seed is a complete bug report: the one command that reproduces it, and a shrunk trace.

        Exit codes: 0 no invariant broken; 1 one was (or bad files); 2 a usage error.

        Examples:
          tether lab run --engine watch --seeds 1..1000
          tether lab run --engine watch --seeds 1..200 --chaos heavy --out ./lab-failures

        """;
}
