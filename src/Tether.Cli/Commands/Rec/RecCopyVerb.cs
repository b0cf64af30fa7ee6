using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec copy NAME NEW</c>: copies a session under a new name and a new id.</summary>
internal sealed class RecCopyVerb : RecVerb
{
    private const string Usage = "NAME NEW";

    private const string Notes = $"""
        Copies the session with its commands, tags and environment under the name NEW and a new id. {Lookup}
        Lines of the original that could not be read are not copied.

        Exit codes: 0 copied; 1 no such session, or NEW is taken or not a valid name; 2 a usage error.

        Example:
          tether rec copy deploy deploy-edited

        """;

    public RecCopyVerb(VerbContext context)
        : base(context, "copy", "Copy a session under a new name (and a new id).", Usage, Notes)
    {
        var name = NameArgument();
        var newName = new Argument<string>("NEW") { Description = "The name of the copy." };
        Add(name);
        Add(newName);
        SetAction(parse => Guard(() =>
        {
            var (from, to) = (parse.GetValue(name)!, parse.GetValue(newName)!);
            var copy = SessionStore.Open().Copy(from, to);
            WriteLine($"Copied '{Printable(from)}' to '{Printable(copy.Name)}' ({copy.Id}).");
            return ExitCodes.Success;
        }));
    }
}
