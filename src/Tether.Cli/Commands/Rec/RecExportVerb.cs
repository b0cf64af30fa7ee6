using System.Collections.Immutable;
using System.CommandLine;
using System.Text;
using Tether.Sessions;

namespace Tether.Cli.Commands;

/// <summary><c>tether rec export NAME -f FORMAT [-o FILE] [--parameterize] [--param NAME=VALUE]…</c>: turns a session into a script or a CI file.</summary>
internal sealed class RecExportVerb : RecVerb
{
    private const string Usage = "NAME -f FORMAT [-o FILE] [--parameterize] [--param NAME=VALUE]…";

    private const string Notes = """
        Writes to stdout, or with -o to FILE, created owner-only (a bash script also executable by its owner);
        an existing FILE is replaced, a symbolic link never. Placeholders left without a value are listed on
        stderr.

        Exit codes: 0 exported; 1 no such session, or it cannot be written; 2 a usage error.

        Examples:
          tether rec export deploy -f bash -o deploy.sh
          tether rec export deploy -f github-actions > .github/workflows/deploy.yml
          tether rec export deploy -f dockerfile --parameterize --param HOME=/root --param USER=root

        """;

    public RecExportVerb(VerbContext context)
        : base(context, "export", "Turn a session into a bash script, Makefile, Markdown, GitHub Actions, GitLab CI or Dockerfile.", Usage, Notes)
    {
        var name = NameArgument();
        var format = new Option<string>("--format", "-f") { HelpName = "FORMAT", Description = $"{string.Join(", ", ExportFormats.Choices)}.", Required = true };
        var output = new Option<string>("--output", "-o") { HelpName = "FILE", Description = "Write to FILE (owner-only) instead of stdout." };
        var parameterize = new Option<bool>("--parameterize") { Description = "Replace the recorded home, user and host with {{HOME}}, {{USER}}, {{HOST}}." };
        var parameters = new Option<string[]>("--param") { HelpName = "NAME=VALUE", Description = "A value for a {{NAME}} placeholder (repeatable)." };
        Add(name);
        Add(format);
        Add(output);
        Add(parameterize);
        Add(parameters);
        SetAction(parse =>
        {
            var formatText = parse.GetValue(format) ?? "";
            if (!ExportFormats.TryParse(formatText, out var chosen))
            {
                throw new UsageException($"--format: '{formatText}' is not an export format: write {string.Join(", ", ExportFormats.Choices)}.");
            }

            var values = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var text in parse.GetValue(parameters) ?? [])
            {
                var (key, value) = OptionValues.Assignment("--param", text);
                values[key] = value;
            }

            var options = new ExportOptions { Parameterize = parse.GetValue(parameterize), Parameters = values.ToImmutable() };
            return Export(parse.GetValue(name)!, chosen, options, parse.GetValue(output));
        });
    }

    private int Export(string name, ExportFormat format, ExportOptions options, string? output)
    {
        ExportResult result;
        try
        {
            var session = SessionStore.Open().Load(name).Session;
            result = SessionExporter.Export(session, format, options);
        }
        catch (Exception e) when (IsLoadError(e) || e is UnexportableSessionException)
        {
            return Fail($"rec export: {Printable(Cause(e))}");
        }

        if (output is null)
        {
            Console.Out.Write(result.Text);
            Console.Out.Flush();
        }
        else
        {
            try
            {
                ExportFile.Write(output, result, executable: format == ExportFormat.Bash);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Fail($"rec export: cannot write '{output}': {Printable(Cause(e))}");
            }
        }

        if (!result.Unfilled.IsEmpty)
        {
            Console.WriteError($"rec export: placeholders left unfilled: {string.Join(", ", result.Unfilled.Select(p => "{{" + p + "}}"))}; give them values with --param NAME=VALUE.");
        }

        if (!result.Unused.IsEmpty)
        {
            Console.WriteError($"rec export: --param given for names no placeholder has: {string.Join(", ", result.Unused)}.");
        }

        return ExitCodes.Success;
    }
}
