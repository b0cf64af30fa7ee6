using System.CommandLine;
using Tether.Lab;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace replay FILE... [--prefix OUT] [--json]</c>: re-runs the engine from the trace and reports "identical" or the first divergence.</summary>
internal sealed class TraceReplayVerb : TraceVerb
{
    private const string Notes = """
        Builds the engine from the trace's configuration, feeds it every recorded input in order, and compares
        what it decides with what was recorded: each input's decision digest, and the running decision hash at
        the end of every chunk. Identical prints 'FILE: identical, N events'. Otherwise the first divergence is
        printed: its event index, time and input, the recorded and replayed decision digests, what the replay
        decided, the 10 events before and the 5 after. --prefix OUT also writes the minimal divergent prefix
        (every event up to and including the divergent one) as a new trace, which replays to the same
        divergence: attach it to a bug report, or replay it in a spec.

        A torn or damaged tail is replayed up to where it stops, and said so on stderr.

        Exit codes: 0 identical; 1 a divergence, or a missing or unreadable file; 2 a usage error.

        Examples:
          tether trace replay watch.trace
          tether trace replay watch.trace.2 watch.trace.1 watch.trace
          tether trace replay watch.trace --prefix diverged.trace --json

        """;

    public TraceReplayVerb(VerbContext context)
        : base(context, "replay", "Replay an engine from a trace and report identical decisions or the first divergence.", "FILE... [--prefix OUT] [--json]", Notes)
    {
        var files = AddFilesArgument();
        var prefix = new Option<string>("--prefix") { HelpName = "OUT", Description = "On a divergence, write the minimal divergent prefix here as a trace (replaced if it exists)." };
        Add(prefix);
        var json = AddJsonOption("Print one JSON object: files, identical, events, divergence (null, or index, at_ms, input, expected_digest, actual_digest, decisions, before, after, at_checkpoint), prefix, stops and error.");
        SetAction(parse => Guard(() => Replay(parse.GetValue(files) ?? [], parse.GetValue(prefix), parse.GetValue(json))));
    }

    private int Replay(string[] paths, string? prefix, bool json)
    {
        if (prefix is { Length: 0 })
        {
            throw new UsageException("trace replay: --prefix: the path is empty: give the file to write the divergent prefix to.");
        }

        if (Read(paths, out var exitCode) is not var (files, engine))
        {
            return exitCode;
        }

        var result = engine.Replay(files, prefix);
        foreach (var (file, stop) in result.Stops)
        {
            Console.WriteError($"trace replay: '{Printable(file)}' {stop}.");
        }

        var failure = result.Divergence is { } d ? $"trace replay: diverged at event {d.Index}: the engine decides differently from the recording{(result.PrefixPath is { } p ? $"; the divergent prefix is in '{Printable(p)}'" : "")}." : null;
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("files");
                foreach (var file in files)
                {
                    writer.WriteStringValue(file.Name);
                }

                writer.WriteEndArray();
                writer.WriteBoolean("identical", result.Identical);
                writer.WriteNumber("events", result.Events);
                if (result.Divergence is { } divergence)
                {
                    writer.WriteStartObject("divergence");
                    writer.WriteNumber("index", divergence.Index);
                    writer.WriteNumber("at_ms", divergence.At.TotalMilliseconds);
                    writer.WriteString("input", divergence.Input);
                    writer.WriteNumber("expected_digest", divergence.ExpectedDigest);
                    writer.WriteNumber("actual_digest", divergence.ActualDigest);
                    WriteStrings(writer, "decisions", divergence.ActualDecisions);
                    WriteStrings(writer, "before", divergence.Before);
                    WriteStrings(writer, "after", divergence.After);
                    writer.WriteBoolean("at_checkpoint", divergence.AtCheckpoint);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("divergence");
                }

                if (result.PrefixPath is { } written)
                {
                    writer.WriteString("prefix", written);
                }
                else
                {
                    writer.WriteNull("prefix");
                }

                writer.WriteNumber("stops", result.Stops.Count);
                WriteError(writer, failure is null ? null : JsonErrorCode.Failed, failure);
                writer.WriteEndObject();
            });
        }
        else if (result.Divergence is { } divergence)
        {
            foreach (var line in divergence.Report().Split('\n'))
            {
                WriteLine(Printable(line));
            }
        }
        else
        {
            WriteLine($"{Printable(files[^1].Name)}: identical, {result.Events} events");
        }

        return failure is null ? ExitCodes.Success : Fail(failure);
    }

    private static void WriteStrings(System.Text.Json.Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
