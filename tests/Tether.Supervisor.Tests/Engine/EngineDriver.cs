namespace Tether.Supervisor.Tests.Engine;

/// <summary>
/// Drives a <see cref="SupervisorEngine"/> the way the host does, on a virtual clock: feeds inputs, keeps every
/// decision, and plays the host's part when asked (a started process gets a pid; an exit answers a stop).
/// </summary>
internal sealed class EngineDriver
{
    private int _nextPid = 1000;

    public EngineDriver(params ServiceDefinition[] services)
        : this(seed: 1, services)
    {
    }

    public EngineDriver(ulong seed, params ServiceDefinition[] services)
    {
        Feed(new SupervisorInput.Configure(Now, new ServiceSet("/project", services), seed));
    }

    public SupervisorEngine Engine { get; } = new();

    public TimeSpan Now { get; private set; }

    /// <summary>Every decision so far, in order.</summary>
    public List<SupervisorDecision> Decisions { get; } = [];

    /// <summary>The decisions of the last input.</summary>
    public List<SupervisorDecision> Last { get; } = [];

    public static ServiceDefinition Service(string name, params Dependency[] dependsOn) => new()
    {
        Name = name,
        Command = new ServiceCommand.Exec(["/bin/sleep", "infinity"]),
        DependsOn = dependsOn,
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(200), 2, TimeSpan.FromSeconds(5), 0, TimeSpan.FromSeconds(30)),
    };

    public List<SupervisorDecision> Feed(SupervisorInput input)
    {
        Last.Clear();
        Engine.Handle(input, Last);
        Decisions.AddRange(Last);
        return Last;
    }

    public void Advance(TimeSpan by)
    {
        Now += by;
        Feed(new SupervisorInput.Tick(Now));
    }

    /// <summary>Ticks at each deadline until <paramref name="until"/> (as the host's timer would).</summary>
    public void RunUntil(TimeSpan until)
    {
        while (Engine.NextDeadline is { } next && next <= until)
        {
            Now = next > Now ? next : Now;
            Feed(new SupervisorInput.Tick(Now));
        }

        Now = until;
        Feed(new SupervisorInput.Tick(Now));
    }

    public SupervisorDecision.StartInstance LastStart(string service) =>
        Decisions.OfType<SupervisorDecision.StartInstance>().Last(start => start.Instance.Service == service);

    /// <summary>Answers the latest start of <paramref name="service"/> (instance 0 unless given) with a pid.</summary>
    public int Started(string service, int index = 0)
    {
        var start = Decisions.OfType<SupervisorDecision.StartInstance>().Last(s => s.Instance == new InstanceId(service, index));
        var pid = _nextPid++;
        Feed(new SupervisorInput.Started(Now, start.Instance, start.RunId, pid));
        return pid;
    }

    public void Exited(string service, ExitInfo exit, int index = 0)
    {
        var start = Decisions.OfType<SupervisorDecision.StartInstance>().Last(s => s.Instance == new InstanceId(service, index));
        Feed(new SupervisorInput.Exited(Now, start.Instance, start.RunId, exit));
    }

    public void Probe(string service, ProbeRole role, bool passed, string detail = "checked", int index = 0)
    {
        var run = Decisions.OfType<SupervisorDecision.RunProbe>().Last(p => p.Instance == new InstanceId(service, index) && p.Role == role);
        Feed(new SupervisorInput.ProbeCompleted(Now, run.Instance, run.RunId, role, run.ProbeId, passed, detail));
    }

    public InstanceStatus Status(string service, int index = 0) => Engine.Status().Single(s => s.Id == new InstanceId(service, index));

    public ServiceState State(string service, int index = 0) => Status(service, index).State;

    public int Starts(string service) => Decisions.OfType<SupervisorDecision.StartInstance>().Count(s => s.Instance.Service == service);
}
