using System.CommandLine;
using System.Globalization;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether down [--force] [-f FILE] [--json]</c>: stops every service and the supervisor, and waits until it exited.</summary>
internal sealed class DownVerb : SupervisorVerb
{
    private const string Notes = $"""
        Stops the services in reverse dependency order, each whole process tree with its stop signal, then
        SIGKILL after its grace period; then the supervisor exits. 'tether down' waits until it has (Ctrl+C
        stops the waiting, not the shutdown). --force SIGKILLs every tree at once.
        {Lookup}

        Exit codes: 0 the supervisor exited; 1 no supervisor runs in the project; 2 a usage error;
        130 interrupted while waiting.

        Examples:
          tether down
          tether down --force

        """;

    public DownVerb(VerbContext context)
        : base(context, "down", "Stop every service and the supervisor, and wait until it exited.", "[--force] [-f FILE] [--json]", Notes)
    {
        var force = new Option<bool>("--force") { Description = "SIGKILL every service's tree at once instead of stopping it gracefully." };
        var json = AddJsonOption("Print {\"pid\":N,\"force\":…,\"stopped\":true} once the supervisor exited.");
        Add(force);
        SetAction((parse, _) => GuardAsync(async () =>
        {
            var client = Client(parse);
            var status = await client.StatusAsync(Interruption.StopRequested).ConfigureAwait(false);
            await client.DownAsync(parse.GetValue(force), Interruption.StopRequested).ConfigureAwait(false);
            if (!parse.GetValue(json))
            {
                WriteLine($"Stopping the supervisor (pid {status.Pid.ToString(CultureInfo.InvariantCulture)}) and its services…");
            }

            await WaitUntilGoneAsync(client, status.Pid).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                WriteJson(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("pid", status.Pid);
                    w.WriteBoolean("force", parse.GetValue(force));
                    w.WriteBoolean("stopped", true);
                    w.WriteEndObject();
                });
            }
            else
            {
                WriteLine("Stopped.");
            }

            return ExitCodes.Success;
        }));
    }

    /// <summary>
    /// Waits without polling the API: a followed log stream ends when the supervisor closes its control socket, at the
    /// very end of its shutdown; then only the process's exit is left, checked in /proc.
    /// </summary>
    private async Task WaitUntilGoneAsync(ControlClient client, int pid)
    {
        try
        {
            await foreach (var _ in client.LogsAsync([], 0, follow: true, Interruption.StopRequested).ConfigureAwait(false))
            {
                // Lines printed during the shutdown are not ours to show.
            }
        }
        catch (Exception ex) when (ex is SupervisorNotRunningException or IOException or System.Net.Sockets.SocketException)
        {
            // Already gone, or went while we connected.
        }

        // The pid is as the supervisor sees it: 1 inside its own PID namespace means nothing here, and in-process hosts
        // (specs) are not waited for. What is left is a process past its last close, so the wait is bounded.
        if (pid == 1 || pid == Environment.ProcessId)
        {
            return;
        }

        var pause = TimeSpan.FromMilliseconds(10);
        var waited = TimeSpan.Zero;
        while (Alive(pid) && waited < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(pause, Interruption.StopRequested).ConfigureAwait(false);
            waited += pause;
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
        }
    }

    /// <summary>Whether <paramref name="pid"/> runs (a zombie has exited: only its parent has not collected it yet).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = System.IO.File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var state = stat.AsSpan(stat.LastIndexOf(')') + 2);
            return state.Length > 0 && state[0] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
