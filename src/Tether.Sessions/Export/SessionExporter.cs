namespace Tether.Sessions;

/// <summary>
/// Turns a recorded session into a reusable file: a bash script, a Makefile, a Markdown document, a GitHub Actions
/// workflow, a <c>.gitlab-ci.yml</c> or a Dockerfile (issue 6; rec 0.2's <c>rec export</c>). Pure: it reads only
/// the session and the options, never the clock, the file system or the environment, so the same input always
/// yields the same text.
/// </summary>
/// <remarks>
/// What every format shares: commands in the order recorded, their text unchanged (quoted or escaped only as the
/// format requires, so it reaches the shell byte for byte); the directory entered before the first command and again
/// only where it changes; a recorded plain <c>cd</c> turned into that change; commands that failed when recorded
/// kept, marked with their exit code, and run so that their failure does not stop the replay (unless
/// <see cref="ExportOptions.IncludeFailed"/> is false). Each format's page says how it spells that.
/// </remarks>
public static class SessionExporter
{
    /// <summary>Exports <paramref name="session"/> as <paramref name="format"/>.</summary>
    /// <param name="session">The session; an empty one yields a valid file that does nothing.</param>
    /// <param name="format">The target.</param>
    /// <param name="options">Placeholders, failed commands, image; <see cref="ExportOptions.Default"/> when null.</param>
    /// <returns>The text, with the placeholders left unfilled, the parameters unused and the failed commands left out.</returns>
    /// <exception cref="ArgumentException">A parameter name is not a placeholder name, or the image is blank or holds spaces.</exception>
    /// <exception cref="UnexportableSessionException">The format cannot express part of the session faithfully.</exception>
    public static ExportResult Export(Session session, ExportFormat format, ExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        options ??= ExportOptions.Default;
        if (format is ExportFormat.Dockerfile or ExportFormat.GitLabCi
            && (string.IsNullOrWhiteSpace(options.Image) || options.Image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
        {
            throw new ArgumentException($"'{options.Image}' is not an image name: write one such as ubuntu:24.04.", nameof(options));
        }

        var placeholders = Placeholders.For(session, options);
        var plan = ExportPlan.Build(session, options, placeholders);
        var text = format switch
        {
            ExportFormat.Bash => BashExport.Render(plan),
            ExportFormat.Makefile => MakefileExport.Render(plan),
            ExportFormat.Markdown => MarkdownExport.Render(plan),
            ExportFormat.GitHubActions => GitHubActionsExport.Render(plan),
            ExportFormat.GitLabCi => GitLabCiExport.Render(plan, options.Image),
            ExportFormat.Dockerfile => DockerfileExport.Render(plan, options.Image),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an export format."),
        };

        return new ExportResult
        {
            Text = text,
            Unfilled = placeholders.Unfilled,
            Unused = placeholders.Unused,
            Omitted = plan.Omitted,
        };
    }
}
