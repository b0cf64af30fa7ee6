using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tether.Telemetry;

/// <summary>
/// The traces and metrics of runs: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>. Listen with OpenTelemetry (<c>AddSource("Tether")</c>, <c>AddMeter("Tether")</c>) or any
/// <see cref="ActivityListener"/>/<see cref="MeterListener"/>.
/// </summary>
/// <remarks>
/// <para>A run is one span, <c>tether.run</c> (<c>tether.pipeline</c> for more than one stage), from just before the
/// spawn to the result, with the program's file name only (<c>process.executable.name</c>) — never its arguments or
/// environment — the containment mechanism, the pid, the outcome, the exit code and the duration. Attribute names
/// follow OpenTelemetry's <c>process.*</c> conventions where one exists.</para>
/// <para>Nothing is measured while nobody listens: each hook first asks <see cref="ActivitySource.HasListeners"/> and
/// <see cref="Instrument.Enabled"/>, so the run path reads no clock and allocates nothing for telemetry then.</para>
/// </remarks>
public static class RunTelemetry
{
    /// <summary>The name of the core's activity source and meter.</summary>
    public const string Name = "Tether";

    /// <summary>The span of a one-stage run.</summary>
    public const string RunSpan = "tether.run";

    /// <summary>The span of a run of two or more stages.</summary>
    public const string PipelineSpan = "tether.pipeline";

    internal static readonly ActivitySource Source = new(Name, Version);
    internal static readonly Meter Meter = new(Name, Version);

    /// <summary>Processes spawned (one per stage), by containment mechanism.</summary>
    internal static readonly Counter<long> Spawns = Meter.CreateCounter<long>("tether.process.spawns", "{process}", "Processes spawned, one per pipeline stage.");

    /// <summary>How long runs took, spawn to result, by outcome.</summary>
    internal static readonly Histogram<double> Durations = Meter.CreateHistogram<double>("tether.run.duration", "s", "How long runs took, from spawn to result.");

    /// <summary>Output bytes the runs captured, by stream.</summary>
    internal static readonly Counter<long> OutputBytes = Meter.CreateCounter<long>("tether.run.output.bytes", "By", "Output bytes kept by the runs' captures (up to each run's output limit).");

    /// <summary>Lines a reader of a run's line streams did not get because a buffer was full.</summary>
    internal static readonly Counter<long> DroppedLines = Meter.CreateCounter<long>("tether.run.output.dropped_lines", "{line}", "Lines a reader of a run's line streams missed because a buffer was full.");

    private const string Version = "1.0";

    /// <summary>True when anyone listens to runs' spans or metrics; the run path checks it before anything else.</summary>
    internal static bool Observed => Source.HasListeners() || Durations.Enabled || Spawns.Enabled || OutputBytes.Enabled || DroppedLines.Enabled;

    /// <summary>Starts the span of a run just before its spawn; null (and no work) when nobody listens to spans.</summary>
    internal static Activity? Starting(Pipeline pipeline, TimeProvider time)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var stages = pipeline.Stages;
        var activity = Source.StartActivity(stages.Length == 1 ? RunSpan : PipelineSpan, ActivityKind.Internal);
        if (activity is null)
        {
            return null;
        }

        // A run goes on beside the caller's own work: it must not become the parent of whatever the caller does next.
        Activity.Current = activity.Parent;
        activity.SetStartTime(time.GetUtcNow().UtcDateTime);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag("process.executable.name", ExecutableName(pipeline.Last.Program));
            if (stages.Length > 1)
            {
                var names = new string[stages.Length];
                for (var i = 0; i < stages.Length; i++)
                {
                    names[i] = ExecutableName(stages[i].Program);
                }

                activity.SetTag("tether.pipeline.stages", stages.Length);
                activity.SetTag("tether.pipeline.executables", names);
            }
        }

        return activity;
    }

    /// <summary>The spawn failed: the span ends as an error that names the exception's type (its message may quote arguments).</summary>
    internal static void SpawnFailed(Activity? activity, Exception error, TimeProvider time)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("tether.run.outcome", "not_started");
        activity.SetTag("error.type", error.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity.SetEndTime(time.GetUtcNow().UtcDateTime);
        activity.Stop();
    }

    /// <summary>Every stage runs: counts the spawns and puts the pids and the mechanism on the span.</summary>
    internal static void Spawned(Activity? activity, IReadOnlyList<int> pids, ContainmentMechanism mechanism)
    {
        if (Spawns.Enabled)
        {
            Spawns.Add(pids.Count, new KeyValuePair<string, object?>("tether.containment", MechanismName(mechanism)));
        }

        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("process.pid", pids[^1]);
            activity.SetTag("tether.containment", MechanismName(mechanism));
        }
    }

    /// <summary>The run ended with a result (an exit, a signal, a timeout): records the outcome, exit code, output and duration.</summary>
    internal static void Ended(Activity? activity, ProcessResult<byte[]> result, long droppedLines)
    {
        var outcome = OutcomeName(result.Outcome);
        if (Durations.Enabled)
        {
            Durations.Record(result.Duration.TotalSeconds, new KeyValuePair<string, object?>("tether.run.outcome", outcome));
        }

        if (OutputBytes.Enabled)
        {
            OutputBytes.Add(result.Stdout.Length, new KeyValuePair<string, object?>("tether.stream", "stdout"));
            OutputBytes.Add(result.Stderr.Length, new KeyValuePair<string, object?>("tether.stream", "stderr"));
        }

        if (droppedLines > 0 && DroppedLines.Enabled)
        {
            DroppedLines.Add(droppedLines);
        }

        if (activity is null)
        {
            return;
        }

        activity.SetTag("tether.run.outcome", outcome);
        switch (result.Outcome)
        {
            case Outcome.Exited exited:
                activity.SetTag("process.exit.code", exited.Code);
                break;
            case Outcome.Signalled { Signal: { } signal }:
                activity.SetTag("process.exit.signal", signal.Number);
                break;
        }

        if (!result.Outcome.IsSuccess(result.OkExitCodes))
        {
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        }

        activity.SetEndTime(activity.StartTimeUtc + result.Duration);
        activity.Stop();
    }

    /// <summary>The run ended without a result (cancelled, output over its limit, a failed pump or stdin source).</summary>
    internal static void Failed(Activity? activity, Exception error, TimeSpan duration)
    {
        var outcome = error is OperationCanceledException ? "canceled" : "failed";
        if (Durations.Enabled)
        {
            Durations.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("tether.run.outcome", outcome));
        }

        if (activity is null)
        {
            return;
        }

        activity.SetTag("tether.run.outcome", outcome);
        activity.SetTag("error.type", error.GetType().FullName);
        activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
        activity.SetEndTime(activity.StartTimeUtc + duration);
        activity.Stop();
    }

    /// <summary>The file name of a program, never a directory that could say more than the program's name.</summary>
    internal static string ExecutableName(string program) => Path.GetFileName(program);

    private static string MechanismName(ContainmentMechanism mechanism) => mechanism switch
    {
        ContainmentMechanism.Cgroup => "cgroup",
        ContainmentMechanism.ProcessGroup => "process_group",
        _ => "other",
    };

    private static string OutcomeName(Outcome outcome) => outcome switch
    {
        Outcome.Exited => "exited",
        Outcome.Signalled => "signalled",
        Outcome.TimedOut => "timed_out",
        _ => "other",
    };
}
