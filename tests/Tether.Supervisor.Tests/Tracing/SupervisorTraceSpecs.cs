using System.Text;
using Tether.Lab;
using Xunit.Abstractions;

namespace Tether.Supervisor.Tests.Tracing;

/// <summary>
/// Supervisor traces: every input survives the codec (clocks running back included), the configuration keeps the
/// engine's settings but no secret, a recording replays identically, runs with probes cost at most 12 bytes an input,
/// and <c>explain</c> tells why a service was restarted and given up.
/// </summary>
public sealed class SupervisorTraceSpecs(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tether-sup-trace-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static ServiceDefinition Web { get; } = new()
    {
        Name = "web",
        Command = new ServiceCommand.Exec(["/srv/web", "--password", "hunter2-secret"]),
        Environment = new Dictionary<string, string> { ["API_TOKEN"] = "tok-3f9c-secret" },
        DependsOn = [new Dependency("db", DependencyCondition.Ready)],
        Replicas = 2,
        Live = new ProbeDefinition { Kind = ProbeKind.Http, Url = new Uri("http://admin:pw-secret@127.0.0.1:8080/health"), FailureThreshold = 2 },
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromSeconds(2), 0.1, TimeSpan.FromSeconds(5)),
        StartLimit = new StartLimit(2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)),
    };

    internal static ServiceDefinition Db { get; } = new()
    {
        Name = "db",
        Command = new ServiceCommand.Shell("exec postgres"),
        Ready = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = 5432, Period = TimeSpan.FromMilliseconds(500) },
        Stop = new StopPolicy(Signal.Interrupt, TimeSpan.FromSeconds(3)),
    };

    internal static ServiceSet Services { get; } = new("/project", [Db, Web]);

    [Fact]
    public void Every_input_survives_the_codec_even_when_the_clock_runs_back()
    {
        var web0 = new InstanceId("web", 0);
        var db0 = new InstanceId("db", 0);
        SupervisorInput[] inputs =
        [
            new SupervisorInput.Configure(TimeSpan.Zero, Services, 0xDEADBEEF),
            new SupervisorInput.Started(Ms(3), db0, 1, 4242),
            new SupervisorInput.ProbeCompleted(Ms(503), db0, 1, ProbeRole.Readiness, 1, true, "connected"),
            new SupervisorInput.StartFailed(Ms(510), web0, 2, "no such file or directory"),
            new SupervisorInput.Tick(Ms(400)),
            new SupervisorInput.Exited(Ms(900), db0, 1, new ExitInfo(null, Signal.Kill, OutOfMemory: true)),
            new SupervisorInput.Exited(Ms(901), web0, 3, ExitInfo.Code(-3)),
            new SupervisorInput.ProbeCompleted(Ms(950), web0, 3, ProbeRole.Liveness, 0, false, "connected"),
            new SupervisorInput.ProbeCompleted(Ms(951), new InstanceId("web", 1), 2, ProbeRole.Liveness, 7, false, "HTTP 503"),
            new SupervisorInput.Operator(Ms(1000), OperatorAction.Scale, "web", 3),
            new SupervisorInput.Operator(Ms(1001), OperatorAction.Restart, "db"),
            new SupervisorInput.Reload(Ms(2000), Services),
            new SupervisorInput.Shutdown(Ms(3000), Force: true),
        ];

        var file = TraceFile.Parse(SupervisorTraceFixtures.Record(inputs));
        var read = file.Events(new SupervisorInputCodec()).Select(r => r.Input).ToList();

        var trace = new SupervisorTrace();
        Assert.Equal(inputs.Select(trace.Describe), read.Select(trace.Describe));
        Assert.Equal(inputs.Select(i => i.At), read.Select(i => i.At));
        Assert.Equal(inputs.Skip(1).Where(i => i is not SupervisorInput.Reload), read.Skip(1).Where(i => i is not SupervisorInput.Reload));
        var configure = Assert.IsType<SupervisorInput.Configure>(read[0]);
        Assert.Equal(0xDEADBEEFUL, configure.Seed);
        var web = configure.Services.Find("web")!;
        Assert.Equal((2, 2, TimeSpan.FromSeconds(30), Web.Backoff, ProbeKind.Http, 2), (web.Replicas, web.StartLimit.Burst, web.StartLimit.RetryAfter!.Value, web.Backoff, web.Live!.Kind, web.Live.FailureThreshold));
        Assert.Equal(Web.DependsOn, web.DependsOn);
        Assert.Equal(Db.Stop, configure.Services.Find("db")!.Stop);
        Assert.Equal(Services.Services.Select(s => s.Name), SupervisorConfiguration.Decode(file.Header.Configuration.Span).Services.Select(s => s.Name));
        Assert.Equal(("supervisor", 1, 0xDEADBEEFUL), (file.Header.EngineKind, file.Header.EngineVersion, file.Header.Seed));
    }

    [Fact]
    public void No_secret_of_the_configuration_or_of_a_probe_detail_reaches_the_trace()
    {
        var web0 = new InstanceId("web", 0);
        SupervisorInput[] inputs =
        [
            new SupervisorInput.Configure(TimeSpan.Zero, Services, 1),
            new SupervisorInput.ProbeCompleted(Ms(10), web0, 1, ProbeRole.Liveness, 0, false, "GET http://admin:pw-secret@127.0.0.1:8080/health failed"),
            new SupervisorInput.StartFailed(Ms(20), web0, 1, "refused: password=hunter2-secret"),
            new SupervisorInput.Reload(Ms(30), Services with { Services = [Db, Web with { Environment = new Dictionary<string, string> { ["API_TOKEN"] = "tok-rotated-secret" } }] }),
        ];

        var path = Path.Combine(_directory, "secrets.trace");
        using (var recorder = SupervisorTraceRecorder.Create(path, Services, 1))
        {
            var engine = new SupervisorEngine();
            var decisions = new List<SupervisorDecision>();
            foreach (var input in inputs)
            {
                decisions.Clear();
                engine.Handle(input, decisions);
                recorder.Record(input, decisions);
            }
        }

        var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
        foreach (var secret in new[] { "hunter2", "tok-3f9c", "tok-rotated", "pw-secret", "postgres", "/srv/web" })
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the trace holds '{secret}'");
        }

        TraceAssert.ReplaysIdentically(path, new SupervisorTrace());
    }

    [Fact]
    public void A_reload_replays_the_restarts_of_exactly_the_services_whose_settings_changed()
    {
        var changed = Services with { Services = [Db, Web with { Environment = new Dictionary<string, string> { ["API_TOKEN"] = "another" } }] };
        var codec = new SupervisorInputCodec();
        var encoder = new TraceEncoder();
        codec.Encode(new SupervisorInput.Configure(TimeSpan.Zero, Services, 1), encoder);
        codec.Reset(); // a later file of the same recording
        codec.Encode(new SupervisorInput.Reload(Ms(5), Services), encoder);
        codec.Encode(new SupervisorInput.Reload(Ms(6), changed), encoder);

        var decoder = new TraceDecoder(encoder.Written);
        var reader = new SupervisorInputCodec();
        var first = ((SupervisorInput.Configure)reader.Decode(ref decoder)).Services;
        reader.Reset();
        var same = ((SupervisorInput.Reload)reader.Decode(ref decoder)).Services;
        var other = ((SupervisorInput.Reload)reader.Decode(ref decoder)).Services;

        Assert.Equal(first.Find("web")!.Fingerprint, same.Find("web")!.Fingerprint);
        Assert.NotEqual(first.Find("web")!.Fingerprint, other.Find("web")!.Fingerprint);
        Assert.Equal(first.Find("db")!.Fingerprint, other.Find("db")!.Fingerprint);
    }

    [Fact]
    public void Settings_of_another_layout_are_refused_in_one_line()
    {
        var ex = Assert.Throws<TraceFormatException>(() => SupervisorConfiguration.Decode([9, 0]));

        Assert.Contains("layout 9 is not known", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData(ChaosLevel.None)]
    [InlineData(ChaosLevel.Light)]
    [InlineData(ChaosLevel.Heavy)]
    public void A_simulated_run_replays_identically_from_its_file(ChaosLevel chaos)
    {
        var path = Path.Combine(_directory, $"sim-{chaos}.trace");
        var inputs = SupervisorTraceFixtures.Simulated(5, 10_000, chaos);
        File.WriteAllBytes(path, SupervisorTraceFixtures.Record(inputs));

        var result = TraceAssert.ReplaysIdentically(path, new SupervisorTrace());

        Assert.Equal(inputs.Count, result.Events);
        Assert.True(inputs.Count >= 1_000, $"only {inputs.Count} inputs");
    }

    [Fact]
    public void A_run_with_probes_costs_at_most_12_bytes_an_input()
    {
        var path = Path.Combine(_directory, "probes.trace");
        var inputs = SupervisorTraceFixtures.Simulated(3, 20_000, ChaosLevel.Light);
        using (var recorder = SupervisorTraceRecorder.Create(path, SupervisorSimulation.Settings, 3))
        {
            var engine = new SupervisorEngine();
            var decisions = new List<SupervisorDecision>();
            foreach (var input in inputs)
            {
                decisions.Clear();
                engine.Handle(input, decisions);
                recorder.Record(input, decisions);
            }
        }

        var bytes = new FileInfo(path).Length;
        var codec = new SupervisorInputCodec();
        var encoder = new TraceEncoder();
        foreach (var input in inputs)
        {
            codec.Encode(input, encoder);
        }

        output.WriteLine($"inputs alone: {(double)encoder.Length / inputs.Count:0.00} bytes an input");
        var perInput = (double)bytes / inputs.Count;
        var probes = inputs.Count(i => i is SupervisorInput.ProbeCompleted);
        output.WriteLine($"{inputs.Count} inputs ({probes} probe verdicts, {inputs.Count(i => i is SupervisorInput.Tick)} ticks) in {bytes} bytes: {perInput:0.00} bytes an input, header and chunk framing included");
        Assert.True(inputs.Count >= 1_000 && probes > inputs.Count / 4, $"only {probes} probe verdicts in {inputs.Count} inputs");
        Assert.True(perInput <= 12, $"{perInput:0.00} bytes an input");
    }

    [Fact]
    public void Recording_allocates_nothing_per_input_once_warm()
    {
        var inputs = SupervisorTraceFixtures.Simulated(11, 10_000, ChaosLevel.None);
        var engine = new SupervisorEngine();
        var decided = new List<(SupervisorInput Input, List<SupervisorDecision> Decisions)>(inputs.Count);
        foreach (var input in inputs)
        {
            var decisions = new List<SupervisorDecision>();
            engine.Handle(input, decisions);
            decided.Add((input, decisions));
        }

        using var recorder = SupervisorTraceRecorder.Create(Path.Combine(_directory, "alloc.trace"), SupervisorSimulation.Settings, 11);
        var half = decided.Count / 2;
        for (var i = 0; i < half; i++)
        {
            recorder.Record(decided[i].Input, decided[i].Decisions);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = half; i < decided.Count; i++)
        {
            recorder.Record(decided[i].Input, decided[i].Decisions);
        }

        var perInput = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / (decided.Count - half);
        output.WriteLine($"{perInput:0.000} bytes allocated per recorded input over {decided.Count - half} inputs");
        Assert.True(perInput < 0.125, $"{perInput:0.000} bytes allocated per input");
    }

    [Fact]
    public void Explain_tells_why_a_service_was_restarted_and_given_up_with_the_engines_reasons()
    {
        var web = new ServiceDefinition
        {
            Name = "web",
            Command = new ServiceCommand.Exec(["/srv/web"]),
            Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromSeconds(2), 0, TimeSpan.FromSeconds(5)),
            StartLimit = new StartLimit(1, TimeSpan.FromSeconds(10)),
        };
        var id = new InstanceId("web", 0);
        SupervisorInput[] inputs =
        [
            new SupervisorInput.Configure(TimeSpan.Zero, new ServiceSet("/p", [web]), 1),
            new SupervisorInput.Started(Ms(1), id, 1, 100),
            new SupervisorInput.Exited(Ms(500), id, 1, ExitInfo.Code(3)),
            new SupervisorInput.Tick(Ms(600)),
            new SupervisorInput.Started(Ms(601), id, 2, 101),
            new SupervisorInput.Exited(Ms(700), id, 2, ExitInfo.BySignal(new Signal(11))),
        ];
        var path = Path.Combine(_directory, "explain.trace");
        File.WriteAllBytes(path, SupervisorTraceFixtures.Record(inputs));

        var lines = new SupervisorTrace().Explain([TraceFile.Read(path)], "web");

        output.WriteLine(string.Join('\n', lines));
        Assert.Contains(lines, l => l.StartsWith("#2 t=500ms exited web#0 run=1 (exit 3) → ", StringComparison.Ordinal) && l.Contains("restart_scheduled web#0 delay=100ms restart=1", StringComparison.Ordinal) && l.Contains("exit 3", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("#5 t=700ms exited web#0 run=2 (signal SIGSEGV) → ", StringComparison.Ordinal) && l.Contains("gave_up web#0", StringComparison.Ordinal) && l.Contains("start_limit", StringComparison.Ordinal));
        Assert.Equal("service web: 2 starts in the trace.", lines[^1]);
        Assert.Equal(["service db: the trace has no decision about this service."], new SupervisorTrace().Explain([TraceFile.Read(path)], "db"));
    }

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);
}
