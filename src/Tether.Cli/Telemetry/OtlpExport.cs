using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tether.Journaling;
using Tether.Telemetry;
using Tether.Watch;

namespace Tether.Cli.Telemetry;

/// <summary>
/// OpenTelemetry's SDK with its OTLP exporter, for one invocation of a verb: the libraries' spans and metrics (every
/// Tether source and meter) and a log record for each span that ends (a run, a recovery, a supervised start) and for
/// the verb's exit. Everything is flushed when it is disposed. What is exported is only what the libraries put on their
/// spans — program file names, pids, outcomes, exit codes, durations — never arguments or environment values.
/// </summary>
internal sealed partial class OtlpExport : IAsyncDisposable
{
    /// <summary>How long one export may take; a collector that does not answer must not hold the tool's exit for long.</summary>
    private const int ExportTimeoutMilliseconds = 5000;

    /// <summary>The supervisor's source and meter, named here so the CLI needs no reference to the supervisor to listen to it.</summary>
    private const string SupervisorName = "Tether.Supervisor";

    private static readonly string[] Names = [RunTelemetry.Name, JournalTelemetry.Name, WatchTelemetry.Name, SupervisorName];

    private readonly TracerProvider _traces;
    private readonly MeterProvider _metrics;
    private readonly ILoggerFactory _logs;
    private readonly ILogger _logger;
    private readonly ActivityListener _spanLogger;
    private readonly string _verb;

    private OtlpExport(OtlpSettings settings, string verb)
    {
        _verb = verb;
        void Resource(ResourceBuilder resource) => resource.AddService(settings.ServiceName);

        _traces = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(Resource)
            .AddSource(Names)
            .AddOtlpExporter(o => Configure(o, settings, "v1/traces"))
            .Build();
        _metrics = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(Resource)
            .AddMeter(Names)
            .AddOtlpExporter(o => Configure(o, settings, "v1/metrics"))
            .Build();
        _logs = LoggerFactory.Create(logging => logging.AddOpenTelemetry(o =>
        {
            o.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(settings.ServiceName));
            o.AddOtlpExporter(e => Configure(e, settings, "v1/logs"));
        }));
        _logger = _logs.CreateLogger("Tether.Cli");

        // One log record per span that ends, carrying the span's ids so a collector links the two.
        _spanLogger = new ActivityListener
        {
            ShouldListenTo = source => Array.IndexOf(Names, source.Name) >= 0,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = LogSpan,
        };
        ActivitySource.AddActivityListener(_spanLogger);
    }

    /// <summary>Starts exporting to the collector <paramref name="settings"/> names, for the verb <paramref name="verb"/>.</summary>
    public static OtlpExport Start(OtlpSettings settings, string verb) => new(settings, verb);

    /// <summary>Records the verb's exit code as a log record.</summary>
    public void VerbEnded(int exitCode) => VerbExited(_logger, _verb, exitCode);

    /// <summary>Stops listening and flushes every signal to the collector (bounded by the export timeout).</summary>
    public ValueTask DisposeAsync()
    {
        _spanLogger.Dispose();
        _traces.Dispose();
        _metrics.Dispose();
        _logs.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void Configure(OtlpExporterOptions options, OtlpSettings settings, string signalPath)
    {
        options.Protocol = settings.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        options.Endpoint = settings.SignalEndpoint(signalPath);
        options.TimeoutMilliseconds = ExportTimeoutMilliseconds;
        options.ExportProcessorType = ExportProcessorType.Batch;
    }

    private void LogSpan(Activity activity)
    {
        var previous = Activity.Current;
        Activity.Current = activity;
        try
        {
            SpanEnded(
                _logger,
                activity.DisplayName,
                activity.GetTagItem("process.executable.name") as string ?? activity.GetTagItem("tether.service.name") as string ?? "",
                activity.GetTagItem("tether.run.outcome") as string ?? activity.GetTagItem("tether.supervisor.start.outcome") as string ?? activity.GetTagItem("tether.watch.recovery.outcome") as string ?? activity.Status.ToString(),
                activity.Duration.TotalMilliseconds);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    [LoggerMessage(EventId = 1, EventName = "SpanEnded", Level = LogLevel.Information, Message = "{Span} {Name} {Outcome} after {DurationMs} ms")]
    private static partial void SpanEnded(ILogger logger, string span, string name, string outcome, double durationMs);

    [LoggerMessage(EventId = 2, EventName = "VerbExited", Level = LogLevel.Information, Message = "tether {Verb} exited with {ExitCode}")]
    private static partial void VerbExited(ILogger logger, string verb, int exitCode);
}
