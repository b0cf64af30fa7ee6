using System.Collections.Concurrent;
using System.Text.Json;
using Tether.Journaling;

namespace Tether.Supervisor.Tests.Runtime;

/// <summary>
/// A temporary project directory with a real <see cref="Supervisor"/> running its services: every decision is kept
/// for the spec, and disposal stops the supervisor (killing every tree) and removes the directory.
/// </summary>
internal sealed class SupervisedProject : IAsyncDisposable
{
    private SupervisedProject(string directory) => Directory = directory;

    public string Directory { get; }

    public Supervisor Supervisor { get; private set; } = null!;

    public ConcurrentQueue<SupervisorDecision> Decisions { get; } = new();

    public ConcurrentQueue<LogLine> Lines { get; } = new();

    public string StateDirectory => Path.Combine(Directory, ".tether");

    /// <summary>A project directory without a supervisor yet.</summary>
    public static SupervisedProject Create() => new(System.IO.Directory.CreateTempSubdirectory("tether-sup-").FullName);

    /// <summary>Creates a project and starts a supervisor for <paramref name="services"/>.</summary>
    public static async Task<SupervisedProject> StartAsync(params ServiceDefinition[] services) => await StartAsync(options => options, services);

    /// <summary>Creates a project and starts a supervisor for <paramref name="services"/>, with options adjusted by <paramref name="configure"/>.</summary>
    public static async Task<SupervisedProject> StartAsync(Func<SupervisorOptions, SupervisorOptions> configure, params ServiceDefinition[] services)
    {
        var project = Create();
        try
        {
            await project.StartSupervisorAsync(configure, services);
            return project;
        }
        catch
        {
            await project.DisposeAsync();
            throw;
        }
    }

    public async Task StartSupervisorAsync(Func<SupervisorOptions, SupervisorOptions> configure, params ServiceDefinition[] services)
    {
        var options = configure(new SupervisorOptions
        {
            Services = new ServiceSet(Directory, services),
            Seed = 7,
            OnDecision = Decisions.Enqueue,
            OnLine = Lines.Enqueue,
        });
        Supervisor = await Supervisor.StartAsync(options, CancellationToken.None);
    }

    public static ServiceDefinition Shell(string name, string script) => new()
    {
        Name = name,
        Command = new ServiceCommand.Shell(script),
        Stop = new StopPolicy(Signal.Terminate, TimeSpan.FromSeconds(5)),
        Backoff = new RestartBackoff(TimeSpan.FromMilliseconds(50), 2, TimeSpan.FromSeconds(1), 0, TimeSpan.FromSeconds(30)),
    };

    public IEnumerable<T> All<T>()
        where T : SupervisorDecision => Decisions.OfType<T>();

    public int Starts(string service) => All<SupervisorDecision.StartInstance>().Count(s => s.Instance.Service == service);

    public InstanceStatus Status(string service, int index = 0) => Supervisor.Status().Instances.Single(i => i.Id == new InstanceId(service, index));

    /// <summary>Waits (generously) until <paramref name="condition"/> holds; fails with <paramref name="what"/> and the decisions so far.</summary>
    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        if (!await Bounds.EventuallyAsync(condition))
        {
            Assert.Fail($"Timed out waiting until {what}. Decisions: {string.Join("; ", Decisions.Select(d => d.ToString()))}");
        }
    }

    public Task WaitForStateAsync(string service, ServiceState state, int index = 0) =>
        WaitUntilAsync(() => Supervisor.Status().Instances.Any(i => i.Id == new InstanceId(service, index) && i.State == state), $"{service}#{index} is {state}");

    /// <summary>Stops the supervisor cleanly and waits for it.</summary>
    public async Task<int> ShutdownAsync()
    {
        await Supervisor.ShutdownAsync(force: false, CancellationToken.None);
        return await Supervisor.Completion.Soon();
    }

    /// <summary>Every record of the project's journal (read after the supervisor closed it).</summary>
    public async Task<List<(string Type, string? Job, JsonElement? Data)>> JournalAsync()
    {
        var records = new List<(string, string?, JsonElement?)>();
        await foreach (var record in new JournalReader(Path.Combine(StateDirectory, "journal")).ReadAsync())
        {
            records.Add((record.Type, record.Job, record.Data));
        }

        return records;
    }

    public async ValueTask DisposeAsync()
    {
        if (Supervisor is not null)
        {
            await Supervisor.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A mount a spec left behind (it unmounts lazily); the temp directory goes with the machine.
        }
    }
}
