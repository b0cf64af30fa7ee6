using System.CommandLine;

namespace Tether.Cli.Commands;

/// <summary><c>tether trace diff A B [--json]</c>: the first difference between two traces.</summary>
internal sealed class TraceDiffVerb : TraceVerb
{
    private const string Notes = """
        Compares two traces of the same engine: the engine, its configuration and seed first, then each event's
        input (byte for byte) and the digest of the decisions it caused, in order. Prints 'same: N events' or the
        first difference: what differs (engine, configuration, seed, input, decisions or length) and both sides.
        Two recordings of the same seed by 'tether lab run' are the same; a trace recorded before and after an
        engine change differs at the first decision that changed.

        Exit codes: 0 the traces are the same; 1 they differ, or a file is missing or unreadable; 2 a usage error.

        Examples:
          tether trace diff before.trace after.trace
          tether trace diff before.trace after.trace --json | jq .difference

        """;

    public TraceDiffVerb(VerbContext context)
        : base(context, "diff", "Show the first difference between two traces: configuration, inputs or decisions.", "A B [--json]", Notes)
    {
        var first = new Argument<string>("A") { Description = "The expected trace." };
        var second = new Argument<string>("B") { Description = "The trace to compare with it." };
        Add(first);
        Add(second);
        var json = AddJsonOption("Print one JSON object: files, same, difference (null, or index, what, expected, actual) and error.");
        SetAction(parse => Guard(() => Compare(parse.GetValue(first)!, parse.GetValue(second)!, parse.GetValue(json))));
    }

    private int Compare(string a, string b, bool json)
    {
        if (Read([a], out var exitCode) is not var (left, engine) || Read([b], out exitCode) is not var (right, _))
        {
            return exitCode;
        }

        var difference = engine.Diff(left[0], right[0]);
        var failure = difference is { } d ? $"trace diff: the traces differ{(d.Index is { } i ? $" at event {i}" : "")} ({d.What})." : null;
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("files");
                writer.WriteStringValue(a);
                writer.WriteStringValue(b);
                writer.WriteEndArray();
                writer.WriteBoolean("same", difference is null);
                if (difference is { } found)
                {
                    writer.WriteStartObject("difference");
                    if (found.Index is { } index)
                    {
                        writer.WriteNumber("index", index);
                    }
                    else
                    {
                        writer.WriteNull("index");
                    }

                    writer.WriteString("what", found.What);
                    writer.WriteString("expected", found.Expected);
                    writer.WriteString("actual", found.Actual);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("difference");
                }

                WriteError(writer, failure is null ? null : JsonErrorCode.Failed, failure);
                writer.WriteEndObject();
            });
        }
        else if (difference is { } found)
        {
            WriteLine($"{found.What} differs{(found.Index is { } at ? $" at event {at}" : "")}:");
            WriteLine($"  {Printable(a)}: {Printable(found.Expected)}");
            WriteLine($"  {Printable(b)}: {Printable(found.Actual)}");
        }
        else
        {
            WriteLine($"same: {left[0].EventCount} events");
        }

        return failure is null ? ExitCodes.Success : Fail(failure);
    }
}
