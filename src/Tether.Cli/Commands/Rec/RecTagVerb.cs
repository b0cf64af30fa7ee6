using System.CommandLine;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec tag NAME TAG...</c>: adds tags to a session.</summary>
internal sealed class RecTagVerb : RecVerb
{
    private const string Usage = "NAME TAG...";

    private const string Notes = $"""
        Adds each TAG the session does not have yet (order is kept), then prints its tags. {Lookup}
        'tether rec list --tag TAG' lists the sessions with a tag.

        Exit codes: 0 tagged; 1 no such session, or a tag is not valid; 2 a usage error.

        Example:
          tether rec tag deploy-staging deploy k8s

        """;

    public RecTagVerb(VerbContext context)
        : base(context, "tag", "Add tags to a session.", Usage, Notes)
    {
        var name = NameArgument();
        var tags = new Argument<string[]>("TAG") { Description = "The tags to add.", Arity = ArgumentArity.OneOrMore };
        Add(name);
        Add(tags);
        SetAction(parse => Guard(() =>
        {
            var (session, given) = (parse.GetValue(name)!, parse.GetValue(tags) ?? []);
            var store = SessionStore.Open();
            store.Tag(session, given);
            PrintTags(store, session);
            return ExitCodes.Success;
        }));
    }
}
