using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary>The foreground supervisor: start, print, serve the control API, stop on Ctrl+C or <c>tether down</c>.</summary>
internal sealed partial class UpVerb
{
    private async Task<int> RunAsync(ServiceSet set, ConfigSource source, bool notify, HttpRequest? http, (string? File, Tether.Lab.TraceWriterOptions? Options) trace)
    {
        var printer = new ServiceLines(ServiceLines.ColourFor(Console));
        var output = new Lock();
        ControlServer? server = null;
        ControlServer? httpServer = null;
        Task? serverClosed = null;
        var options = new SupervisorOptions
        {
            Services = set,
            Reread = source.Load,
            TraceFile = trace.File,
            TraceOptions = trace.Options,
            Notify = notify || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET")),
            OnLine = line =>
            {
                var text = printer.Format(line);
                lock (output)
                {
                    WriteOut(text);
                }
            },
            OnDecision = decision =>
            {
                if (Describe(decision) is { } text)
                {
                    lock (output)
                    {
                        WriteOut(printer.Event(decision is SupervisorDecision.StateChanged s ? InstanceName(s.Instance) : "tether", text));
                    }
                }

                // Close the control socket while the supervisor still holds the project's lock: once the lock is
                // released a new supervisor may bind its own socket at the same path, which ours must not remove.
                if (decision is SupervisorDecision.ShutdownCompleted && server is { } running)
                {
                    serverClosed = Task.WhenAll(running.DisposeAsync().AsTask(), httpServer?.DisposeAsync().AsTask() ?? Task.CompletedTask);
                }
            },
        };

        Supervisor.Supervisor supervisor;
        try
        {
            supervisor = await Supervisor.Supervisor.StartAsync(options, CancellationToken.None).ConfigureAwait(false);
        }
        catch (SupervisorAlreadyRunningException ex)
        {
            return Fail("up: " + ex.Message);
        }
        catch (IOException ex)
        {
            return Fail("up: " + ex.Message);
        }

        await using (supervisor.ConfigureAwait(false))
        {
            try
            {
                server = ControlServer.Listen(supervisor, ControlSocket.In(set.StateDirectory));
            }
            catch (IOException ex)
            {
                await supervisor.ShutdownAsync(force: true, CancellationToken.None).ConfigureAwait(false);
                await supervisor.Completion.ConfigureAwait(false);
                return Fail("up: " + ex.Message);
            }

            if (http is not null && (httpServer = ListenHttp(supervisor, set, http)) is null)
            {
                await supervisor.ShutdownAsync(force: true, CancellationToken.None).ConfigureAwait(false);
                await supervisor.Completion.ConfigureAwait(false);
                await (serverClosed ?? server.DisposeAsync().AsTask()).ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            var exitCode = await WaitForStopAsync(supervisor).ConfigureAwait(false);
            await (serverClosed ?? Task.WhenAll(server.DisposeAsync().AsTask(), httpServer?.DisposeAsync().AsTask() ?? Task.CompletedTask)).ConfigureAwait(false);
            return exitCode;
        }
    }

    /// <summary>Runs until the supervisor stops: on its own (<c>tether down</c>), or asked by Ctrl+C/SIGTERM (a second one forces).</summary>
    private async Task<int> WaitForStopAsync(Supervisor.Supervisor supervisor)
    {
        var stop = Task.Delay(Timeout.Infinite, Interruption.StopRequested);
        if (await Task.WhenAny(supervisor.Completion, stop).ConfigureAwait(false) == stop)
        {
            Console.WriteError("up: stopping the services (Ctrl+C again to kill them at once)…");
            await supervisor.ShutdownAsync(force: false, CancellationToken.None).ConfigureAwait(false);
            var kill = Task.Delay(Timeout.Infinite, Interruption.KillRequested);
            if (await Task.WhenAny(supervisor.Completion, kill).ConfigureAwait(false) == kill)
            {
                await supervisor.ShutdownAsync(force: true, CancellationToken.None).ConfigureAwait(false);
            }
        }

        try
        {
            return await supervisor.Completion.ConfigureAwait(false) == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }
        catch (InvalidOperationException ex)
        {
            return Fail("up: " + ex.Message);
        }
    }

    private void WriteOut(string line)
    {
        try
        {
            Console.Out.WriteLine(line);
        }
        catch (IOException)
        {
            // Nobody reads our stdout any more (a closed pipe): the services keep running and their logs keep the lines.
        }
    }

    private static string InstanceName(InstanceId id) => id.Index == 0 ? id.Service : id.ToString();

    /// <summary>The decisions worth a line in the foreground: state changes and giving up (the journal has everything).</summary>
    private static string? Describe(SupervisorDecision decision) => decision switch
    {
        SupervisorDecision.StateChanged s => ControlJson.Word(s.To) + (string.IsNullOrEmpty(s.Reason) || s.Reason == ControlJson.Word(s.To) ? "" : ": " + Printable(s.Reason)),
        SupervisorDecision.GaveUp g => $"{InstanceName(g.Instance)} gave up: {Printable(g.Reason)}" + (g.RetryAt is { } at ? $" (retrying at +{StatusVerb.Uptime(at)})" : ""),
        SupervisorDecision.AllReady => "every service is ready",
        SupervisorDecision.ShutdownCompleted => "every service stopped",
        _ => null,
    };
}
