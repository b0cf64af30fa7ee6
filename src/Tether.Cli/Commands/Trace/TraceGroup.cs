namespace Tether.Cli.Commands;

/// <summary><c>tether trace VERB FILE…</c>: inspect, check, replay, compare, explain and export engine traces. No verb changes a trace.</summary>
internal sealed class TraceGroup(VerbContext context) : VerbGroup(
    context,
    "trace",
    "Inspect, verify, replay, compare, explain and export recorded engine traces.",
    usage: null,
    Notes,
    new TraceInfoVerb(context),
    new TraceEventsVerb(context),
    new TraceVerifyVerb(context),
    new TraceReplayVerb(context),
    new TraceDiffVerb(context),
    new TraceExplainVerb(context),
    new TraceExportVerb(context))
{
    private const string Notes = """
        A trace records every input of a deterministic engine (the watcher's today) with a hash of the decisions
        it took, so the decisions can be replayed exactly, explained and turned into a regression spec.
        'tether watch --trace FILE' records one; 'tether lab run' writes one for each failing seed. The format
        is docs/formats/trace.md: checksummed chunks; a torn or damaged chunk ends what can be read, and every
        verb says where it stopped.

        A long recording rotates: FILE is the newest, FILE.1 the one before, and so on. Replay needs every
        file from the first, oldest first, because the engine's state carries over.

        Exit codes: 0 success (a trace that verifies, a replay that is identical, traces that are the same);
        1 a failure (a missing or damaged file, a divergence, a difference); 2 a usage error.

        Examples:
          tether trace info watch.trace
          tether trace replay watch.trace --prefix diverged.trace
          tether trace explain watch.trace --pid 4242
          tether trace events watch.trace --json | jq 'select(.input == "freshness_checked")'

        """;
}
