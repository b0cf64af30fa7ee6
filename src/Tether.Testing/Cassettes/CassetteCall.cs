using System.Collections.Immutable;

namespace Tether.Testing.Cassettes;

/// <summary>
/// One invocation as a cassette sees it: the entry it would be recorded as (arguments redacted, no result yet), the
/// key it is matched on, and its place among the calls of its runner (entries are kept in call-start order).
/// </summary>
/// <param name="Invocation">The invocation, for error messages.</param>
/// <param name="Entry">The entry without its result: program, redacted arguments, working directory, stdin, the names of
/// the environment variables.</param>
/// <param name="Keys">What <see cref="CassetteMatcher"/> looks the call up by, most specific first.</param>
/// <param name="Sequence">When the call started, relative to the runner's other calls.</param>
internal sealed record CassetteCall(Invocation Invocation, CassetteEntry Entry, ImmutableArray<string> Keys, long Sequence)
{
    /// <summary>The call <paramref name="command"/> makes, its arguments passed through <paramref name="redaction"/>.</summary>
    /// <exception cref="NotSupportedException">The command's stdin is one-shot or interactive, so it cannot be keyed.</exception>
    public static CassetteCall Of(Command command, RedactionPolicy redaction, long sequence)
    {
        var digest = StdinDigest.Of(command.Stdin, command.Encoding); // throws for one-shot and interactive stdin
        var arguments = redaction.For(command).Arguments.Select(Cassette.Lossy).ToImmutableArray();
        var entry = new CassetteEntry
        {
            Program = Cassette.Lossy(command.Program),
            Arguments = arguments,
            WorkingDirectory = command.WorkingDirectory is { } cwd ? Cassette.Lossy(cwd) : null,
            StdinDigest = digest,
            HasStdin = command.Stdin.Kind != StandardInputKind.Empty,
            EnvironmentNames = [.. command.Environment.Overrides.Keys.Select(Cassette.Lossy).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            Outcome = new Outcome.Exited(0),
        };
        return new CassetteCall(Invocation.Of(command), entry, CassetteMatcher.KeysOf(entry), sequence);
    }
}
