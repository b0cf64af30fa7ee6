using System.CommandLine;
using System.Globalization;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec diff A B [--json]</c>: compares the command lines of two sessions (<see cref="SessionDiff"/>).</summary>
internal sealed class RecDiffVerb : RecVerb
{
    private const string Usage = "A B [--json]";

    private const string Notes = """
        Lines up the command lines of the two sessions (a longest common subsequence, by exact text) and
        prints them in order: '  ' for a command in both, '- ' for one only in A, '+ ' for one only in B,
        then a summary line. Working directories, exit codes and timings are not compared.

        Exit codes: 0 compared (even when they differ); 1 a session is not found; 2 a usage error.

        Example:
          tether rec diff deploy-monday deploy-friday

        """;

    public RecDiffVerb(VerbContext context)
        : base(context, "diff", "Compare the commands of two sessions: lines only in A, only in B, and common.", Usage, Notes)
    {
        var a = new Argument<string>("A") { Description = "The first session (name or id)." };
        var b = new Argument<string>("B") { Description = "The second session (name or id)." };
        Add(a);
        Add(b);
        var json = AddJsonOption("Print one JSON object: a, b, only_a, only_b, common (counts) and lines (side: both, a or b; command).");
        SetAction(parse => Guard(() => Diff(parse.GetValue(a)!, parse.GetValue(b)!, parse.GetValue(json))));
    }

    private int Diff(string first, string second, bool json)
    {
        var store = SessionStore.Open();
        var a = store.Load(first).Session;
        var b = store.Load(second).Session;
        var diff = SessionDiff.Compare(a, b);
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("a", a.Name);
                writer.WriteString("b", b.Name);
                writer.WriteNumber("only_a", diff.OnlyA);
                writer.WriteNumber("only_b", diff.OnlyB);
                writer.WriteNumber("common", diff.Common);
                writer.WriteStartArray("lines");
                foreach (var (side, command) in diff.Lines)
                {
                    writer.WriteStartObject();
                    writer.WriteString("side", side switch { DiffSide.OnlyA => "a", DiffSide.OnlyB => "b", _ => "both" });
                    writer.WriteString("command", command);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        WriteLine($"--- {Printable(a.Name)}");
        WriteLine($"+++ {Printable(b.Name)}");
        foreach (var (side, command) in diff.Lines)
        {
            WriteLine($"{side switch { DiffSide.OnlyA => "- ", DiffSide.OnlyB => "+ ", _ => "  " }}{Printable(command)}");
        }

        WriteLine(string.Create(CultureInfo.InvariantCulture, $"{diff.OnlyA} only in {Printable(a.Name)}, {diff.OnlyB} only in {Printable(b.Name)}, {diff.Common} common"));
        return ExitCodes.Success;
    }
}
