using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec untag NAME TAG...</c>: removes tags from a session.</summary>
internal sealed class RecUntagVerb : RecVerb
{
    private const string Usage = "NAME TAG...";

    private const string Notes = $"""
        Removes each TAG (one the session does not have is ignored), then prints its tags. {Lookup}

        Exit codes: 0 done; 1 no such session; 2 a usage error.

        Example:
          tether rec untag deploy-staging k8s

        """;

    public RecUntagVerb(VerbContext context)
        : base(context, "untag", "Remove tags from a session.", Usage, Notes)
    {
        var name = NameArgument();
        var tags = new Argument<string[]>("TAG") { Description = "The tags to remove.", Arity = ArgumentArity.OneOrMore };
        Add(name);
        Add(tags);
        SetAction(parse => Guard(() =>
        {
            var (session, given) = (parse.GetValue(name)!, parse.GetValue(tags) ?? []);
            var store = SessionStore.Open();
            store.Untag(session, given);
            PrintTags(store, session);
            return ExitCodes.Success;
        }));
    }
}
