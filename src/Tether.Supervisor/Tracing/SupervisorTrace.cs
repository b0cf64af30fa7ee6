using System.Globalization;
using System.Text.Json;
using Tether.Lab;

namespace Tether.Supervisor;

/// <summary>
/// Traces of the supervisor engine: kind <c>supervisor</c>, its input codec (<see cref="SupervisorInputCodec"/>), its
/// services in the header (<see cref="SupervisorConfiguration"/>), the hash of its decisions
/// (<see cref="SupervisorDecisions"/>), and explanations of why a service was restarted, stopped or given up
/// (<see cref="SupervisorExplainer"/>).
/// </summary>
public sealed class SupervisorTrace : EngineTrace<SupervisorInput>
{
    /// <summary>The engine kind in trace headers.</summary>
    public const string EngineKind = "supervisor";

    /// <summary>The version of the engine's decisions and of the codec; bump it when either changes.</summary>
    public const int EngineVersion = 1;

    /// <summary>Traces of the engine as shipped.</summary>
    public SupervisorTrace()
    {
    }

    internal SupervisorTrace(SupervisorPlantedBug bug) => Bug = bug;

    /// <inheritdoc/>
    public override string Kind => EngineKind;

    /// <inheritdoc/>
    public override int Version => EngineVersion;

    internal SupervisorPlantedBug Bug { get; }

    /// <summary>The header of a recording of a supervisor of <paramref name="services"/> seeded with <paramref name="seed"/>.</summary>
    public static TraceHeader Header(ServiceSet services, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new TraceHeader(EngineKind, EngineVersion, seed, SupervisorConfiguration.Encode(services));
    }

    /// <inheritdoc/>
    public override ITraceCodec<SupervisorInput> CreateCodec() => new SupervisorInputCodec();

    /// <inheritdoc/>
    public override IReplayEngine<SupervisorInput> CreateEngine(TraceHeader header) => CreateSupervisorEngine(header);

    /// <inheritdoc/>
    public override string Describe(SupervisorInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var at = $"t={Ms(input.At)}ms";
        return input switch
        {
            SupervisorInput.Configure c => $"{at} configure seed={c.Seed} services={string.Join(',', c.Services.Services.Select(s => s.Name))}",
            SupervisorInput.Reload r => $"{at} reload services={string.Join(',', r.Services.Services.Select(s => s.Name))}",
            SupervisorInput.Started s => $"{at} started {s.Instance} run={s.RunId} pid={s.Pid}",
            SupervisorInput.StartFailed f => $"{at} start_failed {f.Instance} run={f.RunId} ({f.Reason})",
            SupervisorInput.Exited e => $"{at} exited {e.Instance} run={e.RunId} ({e.Exit})",
            SupervisorInput.ProbeCompleted p => $"{at} probe {p.Instance} run={p.RunId} {SupervisorDecisions.Words(p.Role)} probe={p.ProbeId} {(p.Passed ? "passed" : "failed")} ({p.Detail})",
            SupervisorInput.Tick => $"{at} tick",
            SupervisorInput.Operator o => $"{at} operator {SupervisorDecisions.Words(o.Action)} {o.Service}{(o.Action == OperatorAction.Scale ? $" replicas={o.Replicas}" : "")}",
            SupervisorInput.Shutdown s => $"{at} shutdown{(s.Force ? " force" : "")}",
            _ => $"{at} {input.GetType().Name}",
        };
    }

    /// <inheritdoc/>
    public override void WriteJson(Utf8JsonWriter writer, SupervisorInput input)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(input);
        writer.WriteNumber("at_ms", input.At.TotalMilliseconds);
        switch (input)
        {
            case SupervisorInput.Configure c:
                writer.WriteString("input", "configure");
                writer.WriteNumber("seed", c.Seed);
                WriteServices(writer, c.Services);
                break;
            case SupervisorInput.Reload r:
                writer.WriteString("input", "reload");
                WriteServices(writer, r.Services);
                break;
            case SupervisorInput.Started s:
                writer.WriteString("input", "started");
                WriteRun(writer, s.Instance, s.RunId);
                writer.WriteNumber("pid", s.Pid);
                break;
            case SupervisorInput.StartFailed f:
                writer.WriteString("input", "start_failed");
                WriteRun(writer, f.Instance, f.RunId);
                writer.WriteString("reason", f.Reason);
                break;
            case SupervisorInput.Exited e:
                writer.WriteString("input", "exited");
                WriteRun(writer, e.Instance, e.RunId);
                if (e.Exit.ExitCode is { } code)
                {
                    writer.WriteNumber("exit_code", code);
                }

                if (e.Exit.Signal is { } signal)
                {
                    writer.WriteString("signal", signal.ToString());
                }

                writer.WriteBoolean("out_of_memory", e.Exit.OutOfMemory);
                break;
            case SupervisorInput.ProbeCompleted p:
                writer.WriteString("input", "probe_completed");
                WriteRun(writer, p.Instance, p.RunId);
                writer.WriteString("role", SupervisorDecisions.Words(p.Role));
                writer.WriteNumber("probe_id", p.ProbeId);
                writer.WriteBoolean("passed", p.Passed);
                writer.WriteString("detail", p.Detail);
                break;
            case SupervisorInput.Tick:
                writer.WriteString("input", "tick");
                break;
            case SupervisorInput.Operator o:
                writer.WriteString("input", "operator");
                writer.WriteString("action", SupervisorDecisions.Words(o.Action));
                writer.WriteString("service", o.Service);
                writer.WriteNumber("replicas", o.Replicas);
                break;
            case SupervisorInput.Shutdown s:
                writer.WriteString("input", "shutdown");
                writer.WriteBoolean("force", s.Force);
                break;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> Explain(IReadOnlyList<TraceFile> files, string subject)
    {
        if (string.IsNullOrWhiteSpace(subject))
        {
            throw new ArgumentException("Name the service to explain, such as web.", nameof(subject));
        }

        return SupervisorExplainer.Explain(this, files, subject);
    }

    internal SupervisorReplayEngine CreateSupervisorEngine(TraceHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);

        // The services arrive with the recording's first input (Configure); decoding the header's copy checks that the
        // trace is of this engine's layout before anything replays.
        _ = SupervisorConfiguration.Decode(header.Configuration.Span);
        return new SupervisorReplayEngine(new SupervisorEngine { PlantedBug = Bug });
    }

    internal static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static void WriteRun(Utf8JsonWriter writer, InstanceId instance, long runId)
    {
        writer.WriteString("service", instance.Service);
        writer.WriteNumber("instance", instance.Index);
        writer.WriteNumber("run_id", runId);
    }

    private static void WriteServices(Utf8JsonWriter writer, ServiceSet services)
    {
        writer.WriteStartArray("services");
        foreach (var service in services.Services)
        {
            writer.WriteStartObject();
            writer.WriteString("name", service.Name);
            writer.WriteNumber("replicas", service.Replicas);
            writer.WriteStartArray("depends_on");
            foreach (var dependency in service.DependsOn)
            {
                writer.WriteStringValue(dependency.Service + ":" + SupervisorDecisions.Words(dependency.Condition));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
