using System.Globalization;
using Tether.Supervisor.Logs;

namespace Tether.Supervisor.Running;

/// <summary>
/// Turns a <see cref="SupervisorDecision.StartInstance"/> into the Tether <see cref="Command"/> that runs it, contained
/// like every Tether run: the service's program and arguments (no shell unless it asked for one), its working
/// directory, the supervisor's environment plus its own and the <c>TETHER_*</c> variables, its user, its limits through
/// the run's cgroup, its stop signal and grace, and its output teed into the service's log.
/// </summary>
internal static class ServiceLaunch
{
    /// <summary>The service's name, for the program.</summary>
    public const string ServiceVariable = "TETHER_SERVICE";

    /// <summary>The instance's index (from 0), for the program.</summary>
    public const string InstanceVariable = "TETHER_INSTANCE";

    /// <summary>Where to send heartbeats, set when the service has a heartbeat probe.</summary>
    public const string WatchSocketVariable = "TETHER_WATCH_SOCKET";

    /// <summary>
    /// What a service's run keeps of its output for its result: nothing to speak of (one byte, keep-oldest, so a long
    /// run never grows and never fails for output); the log, the ring and the probes read the lines as they pass.
    /// </summary>
    private static readonly OutputLimit NoCapture = new(1, OverflowPolicy.KeepOldest);

    /// <summary>Builds the command for <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentException">A setting cannot be applied (an unknown user, a limit out of range); the message says which.</exception>
    public static Command Build(SupervisorDecision.StartInstance start, string projectDirectory, string? watchSocket, ServiceLog log,
        Action<string> stdoutLine, Action<string> stderrLine)
    {
        var service = start.Service;
        var arguments = service.Command.ToArguments();
        var command = new Command(arguments[0])
            .WithArguments(arguments.Skip(1))
            .WithWorkingDirectory(service.WorkingDirectory ?? projectDirectory)
            .WithOutputLimit(NoCapture)
            .WithStopSignal(service.Stop.Signal)
            .WithGrace(service.Stop.Grace);
        command = WithEnvironment(command, service, start.Instance, watchSocket);

        if (service.User is { } user)
        {
            command = command.WithUser(ResolveUser(user));
        }

        command = WithLimits(command, service.Limits);

        var prefixed = service.Replicas > 1 || start.Instance.Index > 0;
        return command
            .WithStdoutTee(log.Tee(new LogSource(start.Instance.Index, LogStream.Stdout, prefixed)))
            .WithStderrTee(log.Tee(new LogSource(start.Instance.Index, LogStream.Stderr, prefixed)))
            .WithStdoutLineHandler(stdoutLine)
            .WithStderrLineHandler(stderrLine);
    }

    /// <summary>The supervisor's environment, then the service's variables, then <c>TETHER_SERVICE</c>, <c>TETHER_INSTANCE</c> and, with a heartbeat probe, <c>TETHER_WATCH_SOCKET</c>.</summary>
    public static Command WithEnvironment(Command command, ServiceDefinition service, InstanceId instance, string? watchSocket)
    {
        foreach (var (name, value) in service.Environment)
        {
            command = command.WithEnvironmentVariable(name, value);
        }

        command = command
            .WithEnvironmentVariable(ServiceVariable, service.Name)
            .WithEnvironmentVariable(InstanceVariable, instance.Index.ToString(CultureInfo.InvariantCulture));
        if (watchSocket is not null && HasHeartbeat(service))
        {
            command = command.WithEnvironmentVariable(WatchSocketVariable, watchSocket);
        }

        return command;
    }

    /// <summary>True when a probe of <paramref name="service"/> listens for its heartbeats.</summary>
    public static bool HasHeartbeat(ServiceDefinition service) =>
        service.Ready?.Kind == ProbeKind.Heartbeat || service.Live?.Kind == ProbeKind.Heartbeat;

    private static Command WithLimits(Command command, ServiceLimits limits)
    {
        if (limits.MemoryBytes is { } memory)
        {
            command = command.WithMemoryLimit(memory);
        }

        if (limits.Cpus is { } cpus)
        {
            command = command.WithCpuLimit(cpus);
        }

        if (limits.Pids is { } pids)
        {
            command = command.WithProcessCountLimit(pids);
        }

        return command;
    }

    /// <summary>A user name through the name services; a number as that uid with the primary group <c>/etc/passwd</c> gives it (its own number when it has no entry).</summary>
    private static ProcessUser ResolveUser(string user)
    {
        if (!int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            return ProcessUser.FromName(user);
        }

        foreach (var line in File.Exists("/etc/passwd") ? File.ReadLines("/etc/passwd") : [])
        {
            var fields = line.Split(':');
            if (fields.Length > 3 && fields[2] == user && !string.IsNullOrEmpty(fields[0]))
            {
                return ProcessUser.FromName(fields[0]);
            }
        }

        return new ProcessUser(uid, uid);
    }
}
