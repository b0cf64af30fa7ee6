using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec delete NAME [--yes]</c>: deletes a session's file, after asking.</summary>
internal sealed class RecDeleteVerb : RecVerb
{
    private const string Usage = "NAME [--yes]";

    private const string Notes = $"""
        Deletes the session's file for good. {Lookup} Without --yes it asks first on the terminal; when
        stdin is not a terminal (a script, a pipe) it refuses instead, so add --yes there.

        Exit codes: 0 deleted; 1 no such session, not confirmed, or stdin is not a terminal without --yes;
        2 a usage error.

        Examples:
          tether rec delete scratch
          tether rec delete scratch --yes

        """;

    public RecDeleteVerb(VerbContext context)
        : base(context, "delete", "Delete a session's file.", Usage, Notes)
    {
        var name = NameArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking (needed when stdin is not a terminal)." };
        Add(name);
        Add(yes);
        SetAction(parse => Guard(() => Delete(parse.GetValue(name)!, parse.GetValue(yes))));
    }

    private int Delete(string nameOrId, bool yes)
    {
        var store = SessionStore.Open();
        var session = store.Load(nameOrId).Session;
        if (!yes)
        {
            if (Console.RedirectedStdin is not null)
            {
                return Fail($"rec delete: stdin is not a terminal, so there is no one to confirm deleting '{Printable(session.Name)}': add --yes, as in 'tether rec delete {Printable(nameOrId)} --yes'.");
            }

            Console.Error.Write($"Delete the session '{Printable(session.Name)}' ({Count(session.Commands.Length, "command")})? [y/N] ");
            var answer = System.Console.In.ReadLine()?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                return Fail($"rec delete: not confirmed; '{Printable(session.Name)}' was kept.");
            }
        }

        store.Delete(session.Id);
        WriteLine($"Deleted '{Printable(session.Name)}'.");
        return ExitCodes.Success;
    }
}
