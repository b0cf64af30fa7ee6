namespace Tether.Cli.Tests.Infrastructure;

/// <summary>The repository's own test program (tests/Tether.Dummy), built next to the specs.</summary>
internal static class Dummy
{
    public static string Path { get; } = System.IO.Path.Combine(AppContext.BaseDirectory, "Tether.Dummy");

    /// <summary><c>tether run [options] -- Tether.Dummy VERB ARGS…</c> as an argument list.</summary>
    public static string[] Run(string[] options, params string[] verbAndArgs) => ["run", .. options, "--", Path, .. verbAndArgs];

    /// <summary><c>tether run -- Tether.Dummy VERB ARGS…</c> as an argument list.</summary>
    public static string[] Run(params string[] verbAndArgs) => Run([], verbAndArgs);
}
