using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// The status page: <c>index.html</c>, <c>page.css</c> and <c>page.js</c> from <c>Control/Page/</c>, embedded in the
/// assembly (no CDN, no build step; it works offline). The page gets the listener's CSRF token in a
/// <c>&lt;meta&gt;</c> tag, and a Content-Security-Policy that lets it load nothing but its own assets and talk to
/// nothing but its own origin.
/// </summary>
internal static class StatusPage
{
    /// <summary>The headers the page and its assets are served with.</summary>
    public const string PolicyHeader =
        "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'\r\n";

    private const string CsrfPlaceholder = "{{csrf}}";

    private static readonly string Index = Load("index.html");

    private static readonly Dictionary<string, (byte[] Bytes, string ContentType)> Assets = new(StringComparer.Ordinal)
    {
        ["page.css"] = (Encoding.UTF8.GetBytes(Load("page.css")), "text/css; charset=utf-8"),
        ["page.js"] = (Encoding.UTF8.GetBytes(Load("page.js")), "text/javascript; charset=utf-8"),
    };

    /// <summary>The page with <paramref name="csrf"/> in it (hex, so it needs no escaping).</summary>
    public static byte[] Render(string csrf) => Encoding.UTF8.GetBytes(Index.Replace(CsrfPlaceholder, csrf, StringComparison.Ordinal));

    /// <summary>The asset named <paramref name="name"/> (<c>page.css</c>, <c>page.js</c>), or null.</summary>
    public static (byte[] Bytes, string ContentType)? Asset(string name) => Assets.TryGetValue(name, out var asset) ? asset : null;

    private static string Load(string name)
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream("Tether.Supervisor.Page." + name)
            ?? throw new InvalidOperationException($"The status page's {name} is missing from the assembly: the build lost an embedded resource.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
