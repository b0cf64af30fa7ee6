namespace Tether.Cli;

/// <summary>
/// A verb that only groups verbs (<c>journal</c>, <c>rec</c>, …): it has no action of its own, so
/// <c>tether journal</c> alone is a usage error that lists its verbs.
/// </summary>
internal abstract class VerbGroup : Verb
{
    /// <summary>
    /// Creates the group <paramref name="name"/> with <paramref name="verbs"/>, in the order <c>--help</c> lists them. Its
    /// usage line says a verb is required (<c>VERB [options]</c>) unless <paramref name="usage"/> says more; the generated
    /// one (<c>[command]</c>) would call it optional.
    /// </summary>
    protected VerbGroup(VerbContext context, string name, string description, string? usage, string notes, params IEnumerable<Verb> verbs)
        : base(context, name, description, usage ?? "VERB [options]", notes)
    {
        foreach (var verb in verbs)
        {
            Add(verb);
        }
    }
}
