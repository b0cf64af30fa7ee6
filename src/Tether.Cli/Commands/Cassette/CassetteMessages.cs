using Tether.Testing;

namespace Tether.Cli.Commands;

/// <summary>The one-line errors of the cassette verbs and of <c>tether run --cassette</c>.</summary>
internal static class CassetteMessages
{
    /// <summary>
    /// A library message (<c>Cassette 'x' is not valid JSON…</c>) as the clause after tether's own prefix
    /// (<c>--cassette: cassette 'x' is not valid JSON…</c>): its first letter lower-cased when it starts a sentence.
    /// </summary>
    public static string Clause(string message) =>
        message.Length > 1 && char.IsUpper(message[0]) && char.IsLower(message[1])
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;

    /// <summary>Why <paramref name="path"/> could not be read as a cassette by <c>tether cassette VERB</c>, as one line.</summary>
    public static string Describe(string verb, string path, CassetteException exception) => exception.Problem switch
    {
        CassetteProblem.NotFound => $"cassette {verb}: '{path}' does not exist: check the path (a cassette is recorded by 'tether run --cassette FILE -- PROGRAM').",
        _ => $"cassette {verb}: {Clause(exception.Message)}",
    };

    /// <summary>The name of a problem in <c>--json</c> output: <c>not_found</c>, <c>invalid_json</c>, …</summary>
    public static string ProblemName(CassetteProblem problem) => problem switch
    {
        CassetteProblem.NotFound => "not_found",
        CassetteProblem.Unreadable => "unreadable",
        CassetteProblem.TooLarge => "too_large",
        CassetteProblem.InvalidJson => "invalid_json",
        CassetteProblem.UnsupportedVersion => "unsupported_version",
        CassetteProblem.InvalidEntry => "invalid_entry",
        _ => "unwritable",
    };
}
