using System.CommandLine;

namespace Tether.Cli.Telemetry;

/// <summary>
/// The <c>--otlp URL</c> option of the verbs that export telemetry (<c>run</c>, <c>watch</c>, <c>up</c>): one line to
/// add it, one to run the verb's action with the export around it. Without the option and without
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> nothing of OpenTelemetry is touched, so start-up stays as cheap as before.
/// </summary>
internal sealed class OtlpOption
{
    /// <summary>The option itself; add it to the verb.</summary>
    public Option<string> Option { get; } = new("--otlp")
    {
        HelpName = "URL",
        Description = "Export traces, metrics and logs over OTLP to this collector, such as http://localhost:4318 (OTLP/HTTP; "
            + "OTEL_EXPORTER_OTLP_PROTOCOL=grpc for gRPC on :4317). Default: OTEL_EXPORTER_OTLP_ENDPOINT when set; "
            + "the service name is OTEL_SERVICE_NAME or tether.",
    };

    /// <summary>
    /// Runs <paramref name="action"/> with OTLP export on when asked (the option or the environment), and flushes what
    /// was recorded before returning the action's exit code.
    /// </summary>
    /// <exception cref="UsageException">The URL or the protocol is not one Tether can export to.</exception>
    public async Task<int> ExportWhileAsync(ParseResult parse, string verb, Func<Task<int>> action)
    {
        var settings = OtlpSettings.From(parse.GetValue(Option), Environment.GetEnvironmentVariable);
        if (settings is null)
        {
            return await action().ConfigureAwait(false);
        }

        var export = OtlpExport.Start(settings, verb);
        await using (export.ConfigureAwait(false))
        {
            var exitCode = await action().ConfigureAwait(false);
            export.VerbEnded(exitCode);
            return exitCode;
        }
    }
}
