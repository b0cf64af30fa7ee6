namespace Tether.Sessions;

/// <summary>What <see cref="SessionExporter"/> turns a session into.</summary>
public enum ExportFormat
{
    /// <summary>A bash script (<c>set -euo pipefail</c>) that replays the session in order.</summary>
    Bash,

    /// <summary>A GNU Makefile with one target whose recipe replays the session in one bash shell.</summary>
    Makefile,

    /// <summary>A Markdown document: a summary table and each command in a fenced block.</summary>
    Markdown,

    /// <summary>A GitHub Actions workflow, one step per command.</summary>
    GitHubActions,

    /// <summary>A <c>.gitlab-ci.yml</c> with one job whose <c>script:</c> replays the session.</summary>
    GitLabCi,

    /// <summary>A Dockerfile: <c>WORKDIR</c> for directory changes, <c>RUN</c> for commands.</summary>
    Dockerfile,
}

/// <summary>The names of the export formats, as the command line spells them.</summary>
public static class ExportFormats
{
    private static readonly (string Name, ExportFormat Format)[] Spellings =
    [
        ("bash", ExportFormat.Bash),
        ("makefile", ExportFormat.Makefile),
        ("markdown", ExportFormat.Markdown),
        ("github-actions", ExportFormat.GitHubActions),
        ("github-action", ExportFormat.GitHubActions), // rec 0.2 spells it in the singular
        ("gitlab-ci", ExportFormat.GitLabCi),
        ("dockerfile", ExportFormat.Dockerfile),
    ];

    /// <summary>The canonical names, in the order help texts list them.</summary>
    public static IReadOnlyList<string> Choices { get; } = ["bash", "makefile", "markdown", "github-actions", "gitlab-ci", "dockerfile"];

    /// <summary>
    /// Reads a format name: <c>bash</c>, <c>makefile</c>, <c>markdown</c>, <c>github-actions</c> (or rec's
    /// <c>github-action</c>), <c>gitlab-ci</c> or <c>dockerfile</c>. Case and surrounding spaces do not matter.
    /// </summary>
    /// <exception cref="FormatException">The name is none of those; the message lists the choices.</exception>
    public static ExportFormat Parse(string name)
    {
        if (TryParse(name, out var format))
        {
            return format;
        }

        throw new FormatException($"'{name}' is not an export format: choose {string.Join(", ", Choices.Take(Choices.Count - 1))} or {Choices[^1]}.");
    }

    /// <summary>Reads a format name as <see cref="Parse"/> does; returns false when it is none of them.</summary>
    public static bool TryParse(string? name, out ExportFormat format)
    {
        var wanted = name?.Trim();
        foreach (var (spelling, candidate) in Spellings)
        {
            if (string.Equals(spelling, wanted, StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }

    /// <summary>The canonical name of <paramref name="format"/>: <c>github-actions</c> for <see cref="ExportFormat.GitHubActions"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined format.</exception>
    public static string NameOf(ExportFormat format) => format switch
    {
        ExportFormat.Bash => "bash",
        ExportFormat.Makefile => "makefile",
        ExportFormat.Markdown => "markdown",
        ExportFormat.GitHubActions => "github-actions",
        ExportFormat.GitLabCi => "gitlab-ci",
        ExportFormat.Dockerfile => "dockerfile",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an export format."),
    };
}
