using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Tether.Journaling;
using Tether.Supervisor;
using Tether.Telemetry;
using Tether.Watch;

namespace Tether.Extensions.Hosting;

/// <summary>
/// Adds Tether's activity sources and meters — <c>Tether</c>, <c>Tether.Journal</c>, <c>Tether.Watch</c>,
/// <c>Tether.Supervisor</c> — to an OpenTelemetry tracer or meter provider:
/// <c>.WithTracing(t =&gt; t.AddTetherInstrumentation()).WithMetrics(m =&gt; m.AddTetherInstrumentation())</c>.
/// </summary>
public static class TetherInstrumentation
{
    /// <summary>The names of every activity source and meter Tether's libraries publish.</summary>
    public static IReadOnlyList<string> Names { get; } = [RunTelemetry.Name, JournalTelemetry.Name, WatchTelemetry.Name, SupervisorTelemetry.Name];

    /// <summary>Subscribes the tracer provider to the spans of runs, pipelines, journal commits, recoveries and supervised starts.</summary>
    public static TracerProviderBuilder AddTetherInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource([.. Names]);
    }

    /// <summary>Subscribes the meter provider to Tether's counters and histograms.</summary>
    public static MeterProviderBuilder AddTetherInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter([.. Names]);
    }
}
