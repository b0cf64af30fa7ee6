using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec rename NAME NEW</c>: renames a session; its id stays.</summary>
internal sealed class RecRenameVerb : RecVerb
{
    private const string Usage = "NAME NEW";

    private const string Notes = $"""
        Renames the session; only its header line changes, atomically. {Lookup} A name another session has
        is refused and nothing changes.

        Exit codes: 0 renamed; 1 no such session, or NEW is taken or not a valid name; 2 a usage error.

        Example:
          tether rec rename session-3 deploy-staging

        """;

    public RecRenameVerb(VerbContext context)
        : base(context, "rename", "Rename a session (its id stays).", Usage, Notes)
    {
        var name = NameArgument();
        var newName = new Argument<string>("NEW") { Description = "The new name." };
        Add(name);
        Add(newName);
        SetAction(parse => Guard(() =>
        {
            var (from, to) = (parse.GetValue(name)!, parse.GetValue(newName)!);
            SessionStore.Open().Rename(from, to);
            WriteLine($"Renamed '{Printable(from)}' to '{Printable(to)}'.");
            return ExitCodes.Success;
        }));
    }
}
