using System.Globalization;
using System.Text;
using System.Text.Json;
using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary><c>tether cassette show FILE [--json]</c>: lists the runs a cassette holds.</summary>
internal sealed class CassetteShowVerb : CassetteVerb
{
    /// <summary>How much of an output's first line <c>show</c> prints.</summary>
    private const int PreviewLength = 60;

    private const string Usage = "FILE [--json]";

    private const string Notes = """
        Text output starts with one line naming FILE and the number of entries, then, for each entry, its
        index and command line, followed by indented lines: cwd (when the run set one), stdin (when it had
        any), env (the names of the variables it set; values are never recorded), outcome (exit N,
        signal N, timed out), and stdout and stderr as their size and first line. Control characters are
        shown escaped (\x1b), so printing a cassette never drives the terminal.

        With --json the whole cassette is one JSON object on one line, output in full:
          {"version":1,"entries":[{"program":"git","args":["status"],"cwd":null,"stdin_digest":null,
           "has_stdin":false,"env_names":[],"stdout":"...","stderr":"","code":0,"timed_out":false,
           "signal":null}]}
        code is null when the run did not exit; signal is null when it exited, timed out, or was killed
        by a signal the cassette does not know.

        Exit codes: 0 listed; 1 FILE does not exist or is not a valid cassette; 2 a bad option.

        Examples:
          tether cassette show tests/cassettes/build.json
          tether cassette show tests/cassettes/build.json --json | jq -r '.entries[0].stdout'

        """;

    public CassetteShowVerb(VerbContext context)
        : base(context, "show", "List the runs a cassette holds: command line, working directory, outcome, and the size and first line of stdout and stderr.", Usage, Notes)
    {
        var json = AddJsonOption("Print one JSON object: version and entries, each with the cassette's own field names (program, args, cwd, stdin_digest, has_stdin, env_names, stdout, stderr, code, timed_out, signal); every key always present.");
        SetAction(parse => Show(FilePath(parse), parse.GetValue(json)));
    }

    private int Show(string path, bool json)
    {
        var (cassette, problem, error) = Load(path);
        if (cassette is null)
        {
            return Fail(error!, CassetteMessages.ProblemName(problem!.Value));
        }

        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("version", cassette.Version);
                writer.WriteStartArray("entries");
                foreach (var entry in cassette.Entries)
                {
                    WriteEntry(writer, entry);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        WriteLine($"{Printable(path)}: {Entries(cassette.Entries.Length)}");
        for (var i = 0; i < cassette.Entries.Length; i++)
        {
            var entry = cassette.Entries[i];
            WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{i}] {Printable(entry.CommandLine)}"));
            if (entry.WorkingDirectory is { } cwd)
            {
                WriteLine($"    cwd      {Printable(cwd)}");
            }

            if (entry.HasStdin)
            {
                WriteLine(entry.StdinDigest is { } digest
                    ? string.Create(CultureInfo.InvariantCulture, $"    stdin    given (digest {digest:x16})")
                    : "    stdin    given");
            }

            if (!entry.EnvironmentNames.IsEmpty)
            {
                WriteLine($"    env      {Printable(string.Join(", ", entry.EnvironmentNames))}");
            }

            WriteLine($"    outcome  {entry.OutcomeText}");
            WriteLine($"    stdout   {Summary(entry.Stdout)}");
            WriteLine($"    stderr   {Summary(entry.Stderr)}");
        }

        return ExitCodes.Success;
    }

    /// <summary>One entry with processkit's field names, every key present (null or empty when it does not apply).</summary>
    private static void WriteEntry(Utf8JsonWriter writer, CassetteEntry entry)
    {
        writer.WriteStartObject();
        writer.WriteString("program", entry.Program);
        writer.WriteStartArray("args");
        foreach (var argument in entry.Arguments)
        {
            writer.WriteStringValue(argument);
        }

        writer.WriteEndArray();
        if (entry.WorkingDirectory is { } cwd)
        {
            writer.WriteString("cwd", cwd);
        }
        else
        {
            writer.WriteNull("cwd");
        }

        if (entry.StdinDigest is { } digest)
        {
            writer.WriteNumber("stdin_digest", digest);
        }
        else
        {
            writer.WriteNull("stdin_digest");
        }

        writer.WriteBoolean("has_stdin", entry.HasStdin);
        writer.WriteStartArray("env_names");
        foreach (var name in entry.EnvironmentNames)
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteString("stdout", entry.Stdout);
        writer.WriteString("stderr", entry.Stderr);
        if (entry.Outcome is Outcome.Exited exited)
        {
            writer.WriteNumber("code", exited.Code);
        }
        else
        {
            writer.WriteNull("code");
        }

        writer.WriteBoolean("timed_out", entry.Outcome is Outcome.TimedOut);
        if (entry.Outcome is Outcome.Signalled { Signal: { } signal })
        {
            writer.WriteNumber("signal", signal.Number);
        }
        else
        {
            writer.WriteNull("signal");
        }

        writer.WriteEndObject();
    }

    /// <summary><c>empty</c>, or the size, the line count and the first line: <c>12 bytes, 2 lines: "hello"</c>.</summary>
    private static string Summary(string output)
    {
        if (output.Length == 0)
        {
            return "empty";
        }

        var bytes = Encoding.UTF8.GetByteCount(output);
        var lines = output.Count(c => c == '\n') + (output.EndsWith('\n') ? 0 : 1);
        var end = output.IndexOf('\n', StringComparison.Ordinal);
        var first = (end < 0 ? output : output[..end]).TrimEnd('\r');
        var preview = first.Length > PreviewLength ? first[..PreviewLength] + "…" : first;
        return string.Create(CultureInfo.InvariantCulture, $"{bytes} {(bytes == 1 ? "byte" : "bytes")}, {lines} {(lines == 1 ? "line" : "lines")}: \"{Printable(preview)}\"");
    }
}
