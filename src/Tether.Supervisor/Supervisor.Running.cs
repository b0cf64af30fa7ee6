using Tether.Supervisor.Logs;
using Tether.Supervisor.Probes;
using Tether.Supervisor.Running;
using Tether.Watch;

namespace Tether.Supervisor;

/// <summary>Carrying out the engine's requests: starting instances, stopping and killing their trees, running probes.</summary>
public sealed partial class Supervisor
{
    private void StartInstance(SupervisorDecision.StartInstance start)
    {
        var run = new InstanceRun(start);
        _runs[start.RunId] = run;
        var log = LogOf(start.Service);
        Command command;
        try
        {
            var watchSocket = ServiceLaunch.HasHeartbeat(start.Service) ? Heartbeats().SocketPath : null;
            run.LogPatterns = LogPatternWatch.For(run, _time, LogPatternMatched);
            command = ServiceLaunch.Build(start, _services.ProjectDirectory, watchSocket, log,
                line => Output(run, log, LogStream.Stdout, line), line => Output(run, log, LogStream.Stderr, line));
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or ListenerBindException or UnauthorizedAccessException)
        {
            Post(new SupervisorInput.StartFailed(default, start.Instance, start.RunId, OneLine(ex.Message)));
            return;
        }

        Task<RunningProcess> starting;
        _reaper.BeginSpawn();
        try
        {
            starting = _options.Runner.StartAsync(command);
        }
        catch (Exception ex) when (ex is TetherException or IOException or ArgumentException or InvalidOperationException or PlatformNotSupportedException)
        {
            starting = Task.FromException<RunningProcess>(ex);
        }

        // The real runner spawns synchronously: answer at once, without a hop through the thread pool.
        if (starting.IsCompleted)
        {
            Started(run, log, starting);
        }
        else
        {
            starting.ContinueWith(task => Started(run, log, task), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void Started(InstanceRun run, ServiceLog log, Task<RunningProcess> starting)
    {
        if (!starting.IsCompletedSuccessfully)
        {
            _reaper.EndSpawn([]);
            var error = starting.Exception?.InnerException;
            Post(new SupervisorInput.StartFailed(default, run.Instance, run.RunId, OneLine(error?.Message ?? "the start was cancelled")));
            return;
        }

        var process = starting.Result;
        run.Process = process;
        _reaper.EndSpawn(process.Pids);
        if (ServiceLaunch.HasHeartbeat(run.Service))
        {
            _heartbeats?.Watch(run, process.Pid);
        }

        if (!Post(new SupervisorInput.Started(default, run.Instance, run.RunId, process.Pid)))
        {
            // The supervisor closed while this one was starting: it must not outlive it.
            _ = process.DisposeAsync().AsTask();
            return;
        }

        _ = WatchExitAsync(run, log, process);
    }

    /// <summary>Waits for the run's tree to end, releases it, and tells the engine how it ended.</summary>
    private async Task WatchExitAsync(InstanceRun run, ServiceLog log, RunningProcess process)
    {
        ExitInfo exit;
        try
        {
            exit = ToExitInfo(await process.WaitBytesAsync().ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is TetherException or IOException or OperationCanceledException)
        {
            exit = new ExitInfo(null); // reading its output failed; the exit status is lost with it
        }

        await process.DisposeAsync().ConfigureAwait(false);
        _reaper.Release(process.Pids);
        _heartbeats?.Forget(run);
        var prefixed = run.Service.Replicas > 1 || run.Instance.Index > 0;
        log.EndOfStream(new LogSource(run.Instance.Index, LogStream.Stdout, prefixed));
        log.EndOfStream(new LogSource(run.Instance.Index, LogStream.Stderr, prefixed));
        Post(new SupervisorInput.Exited(default, run.Instance, run.RunId, exit));
    }

    private static ExitInfo ToExitInfo(ProcessResult<byte[]> result) => result.Outcome switch
    {
        Outcome.Exited exited => ExitInfo.Code(exited.Code),
        Outcome.Signalled signalled => new ExitInfo(null, signalled.Signal, signalled.OutOfMemory),
        _ => new ExitInfo(null, Signal.Kill), // a timeout: services have none, so it cannot happen; the tree was killed
    };

    private void StopInstance(SupervisorDecision.StopInstance stop)
    {
        if (!_runs.TryGetValue(stop.RunId, out var run) || run.Process is not { } process)
        {
            return; // it ended already; its exit is on the way to the engine
        }

        var grace = stop.Grace < TimeSpan.Zero ? TimeSpan.Zero : stop.Grace > Durations.LongestWait ? Durations.LongestWait : stop.Grace;
        _ = StopTreeAsync(process, stop.Signal, run.Service.Stop.Signal, grace);
    }

    /// <summary>The stop signal to the whole tree, then SIGKILL to the whole tree after the grace period (the run's stop).</summary>
    private static async Task StopTreeAsync(RunningProcess process, Signal signal, Signal commandSignal, TimeSpan grace)
    {
        try
        {
            if (signal != commandSignal)
            {
                await process.SignalAsync(signal).ConfigureAwait(false);
            }

            await process.StopAsync(grace).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TetherException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // How it ended is the exit watcher's to report.
        }
    }

    private void KillInstance(SupervisorDecision.KillInstance kill)
    {
        if (_runs.TryGetValue(kill.RunId, out var run) && run.Process is { } process)
        {
            _ = KillTreeAsync(process);
        }
    }

    private static async Task KillTreeAsync(RunningProcess process)
    {
        try
        {
            await process.SignalAsync(Signal.Kill).ConfigureAwait(false);
            await process.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TetherException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // How it ended is the exit watcher's to report.
        }
    }

    private void RunProbe(SupervisorDecision.RunProbe probe)
    {
        if (!_runs.TryGetValue(probe.RunId, out var run))
        {
            return; // the run ended; the engine ignores answers about it anyway
        }

        _ = ProbeAsync(probe, run);
    }

    private async Task ProbeAsync(SupervisorDecision.RunProbe probe, InstanceRun run)
    {
        var (passed, detail) = await _probes.CheckAsync(probe.Probe, run).ConfigureAwait(false);
        Post(new SupervisorInput.ProbeCompleted(default, probe.Instance, probe.RunId, probe.Role, probe.ProbeId, passed, detail));
    }

    /// <summary>An observed probe's verdict (a heartbeat, its silence, a matching line): probe id 0.</summary>
    private void ObservedProbe(InstanceRun run, ProbeRole role, bool passed, string detail) =>
        Post(new SupervisorInput.ProbeCompleted(default, run.Instance, run.RunId, role, 0, passed, detail));

    private void LogPatternMatched(InstanceRun run, ProbeRole role, string detail) => ObservedProbe(run, role, passed: true, detail);

    /// <summary>A line of a service, read by its output pump: to the ring, the followers, the foreground view and the log probes.</summary>
    private void Output(InstanceRun run, ServiceLog log, LogStream stream, string text)
    {
        var line = new LogLine(_time.GetUtcNow(), run.Instance, stream, text);
        log.AddLine(line);
        _lineDispatcher?.Add(line);
        run.LogPatterns?.Offer(text);
    }

    /// <summary>The heartbeat listener, bound on first need (a service with a heartbeat probe).</summary>
    private HeartbeatMonitor Heartbeats() => _heartbeats ??= HeartbeatMonitor.Start(_services.StateDirectory, _time, ObservedProbe);

    /// <summary>Creates the log of every service of <paramref name="services"/> that has none yet, and applies changed rotation settings.</summary>
    private void OpenLogs(ServiceSet services)
    {
        foreach (var service in services.Services)
        {
            LogOf(service);
        }
    }

    private ServiceLog LogOf(ServiceDefinition service)
    {
        var log = _logs.GetOrAdd(service.Name, static (name, state) =>
            new ServiceLog(name, Path.Combine(state.Services.StateDirectory, "logs"), state.Definition.Logs, state.Self._options.LogRingLines,
                state.Self._time, state.Self._journal.RecordLogDrops), (Self: this, Services: _services, Definition: service));
        log.Policy = service.Logs;
        return log;
    }

    private static string OneLine(string message)
    {
        var newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
