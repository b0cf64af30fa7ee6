using Tether.Lab;

namespace Tether.Supervisor.Tests.Tracing;

/// <summary>
/// The golden supervisor trace (tests/Tether.Supervisor.Tests/Golden/supervisor-restart.trace, described in
/// docs/formats/trace.md): a database becomes ready, the web service after it crashes, is restarted after its backoff,
/// crashes again and is given up at its start limit, then the operator shuts down. The file decodes to exactly these
/// inputs, replays identically, and today's writer still writes it byte for byte — so the format cannot drift unnoticed.
/// </summary>
public sealed class GoldenSupervisorTraceSpecs
{
    private static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Golden", "supervisor-restart.trace");

    private static readonly InstanceId Db = new("db", 0);
    private static readonly InstanceId Web = new("web", 0);

    internal static ServiceSet Services { get; } = new("/project", [
        new ServiceDefinition
        {
            Name = "db",
            Command = new ServiceCommand.Exec(["postgres"]),
            Ready = new ProbeDefinition { Kind = ProbeKind.Tcp, Port = 5432, Period = TimeSpan.FromMilliseconds(500) },
        },
        new ServiceDefinition
        {
            Name = "web",
            Command = new ServiceCommand.Exec(["web"]),
            DependsOn = [new Dependency("db", DependencyCondition.Ready)],
            Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(100), 2, TimeSpan.FromSeconds(2), 0, TimeSpan.FromSeconds(5)),
            StartLimit = new StartLimit(1, TimeSpan.FromSeconds(10)),
        },
    ]);

    internal static SupervisorInput[] Inputs { get; } =
    [
        new SupervisorInput.Configure(TimeSpan.Zero, Services, 42),
        new SupervisorInput.Started(Ms(2), Db, 1, 100),
        new SupervisorInput.ProbeCompleted(Ms(10), Db, 1, ProbeRole.Readiness, 1, true, "connected"),
        new SupervisorInput.Started(Ms(12), Web, 2, 101),
        new SupervisorInput.Exited(Ms(400), Web, 2, ExitInfo.Code(3)),
        new SupervisorInput.Tick(Ms(500)),
        new SupervisorInput.Started(Ms(503), Web, 3, 102),
        new SupervisorInput.ProbeCompleted(Ms(510), Db, 1, ProbeRole.Readiness, 2, true, "connected"),
        new SupervisorInput.Exited(Ms(700), Web, 3, ExitInfo.BySignal(new Signal(11))),
        new SupervisorInput.Shutdown(Ms(800), Force: false),
        new SupervisorInput.Exited(Ms(850), Db, 1, ExitInfo.BySignal(Signal.Terminate)),
    ];

    [Fact]
    public void The_golden_trace_decodes_to_its_inputs_and_replays_identically()
    {
        var file = TraceFile.Read(GoldenPath);

        Assert.Equal(("supervisor", 1, 42UL, 0, 0L), (file.Header.EngineKind, file.Header.EngineVersion, file.Header.Seed, file.Header.FileSequence, file.Header.FirstEventIndex));
        Assert.Equal(["db", "web"], SupervisorConfiguration.Decode(file.Header.Configuration.Span).Services.Select(s => s.Name));
        var read = file.Events(new SupervisorInputCodec()).Select(r => r.Input).ToList();
        var trace = new SupervisorTrace();
        Assert.Equal(Inputs.Select(trace.Describe), read.Select(trace.Describe));
        Assert.Equal(Inputs.Skip(1), read.Skip(1));
        TraceAssert.ReplaysIdentically(GoldenPath, trace);
        var why = trace.Explain([file], "web");
        Assert.Contains(why, line => line.StartsWith("#8 t=700ms exited web#0 run=3 (signal SIGSEGV) → ", StringComparison.Ordinal) && line.Contains("gave_up web#0", StringComparison.Ordinal));
    }

    [Fact]
    public void Todays_writer_writes_the_golden_trace_byte_for_byte()
    {
        var written = SupervisorTraceFixtures.Record(Inputs);

        var golden = File.ReadAllBytes(GoldenPath);
        if (!golden.AsSpan().SequenceEqual(written))
        {
            var path = Path.Combine(Path.GetTempPath(), "supervisor-restart.trace.actual");
            File.WriteAllBytes(path, written);
            Assert.Fail($"the writer no longer writes the golden trace: {golden.Length} bytes golden, {written.Length} written (saved at {path}); a format change needs a new version");
        }
    }

    private static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);
}
