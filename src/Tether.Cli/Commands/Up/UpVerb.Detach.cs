using System.CommandLine;
using System.Globalization;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary><c>tether up -d</c>: the same supervisor, started in the background, answered for before we return.</summary>
internal sealed partial class UpVerb
{
    /// <summary>How long a supervisor started in the background may take to answer on its socket.</summary>
    private static readonly TimeSpan DetachedStartLimit = TimeSpan.FromSeconds(60);

    private async Task<int> DetachAsync(ParseResult parse, ServiceSet set, HttpRequest? http)
    {
        var socket = ControlSocket.In(set.StateDirectory);
        var client = new ControlClient(socket, TimeSpan.FromSeconds(5));
        try
        {
            var running = await client.StatusAsync(Interruption.StopRequested).ConfigureAwait(false);
            return Fail($"up: a supervisor is already running for {running.ProjectDirectory} (pid {running.Pid.ToString(CultureInfo.InvariantCulture)}); use 'tether status' to see it or 'tether down' to stop it.");
        }
        catch (SupervisorNotRunningException)
        {
            // The usual case: nothing runs here yet.
        }

        var program = Environment.ProcessPath;
        if (program is null || Path.GetFileNameWithoutExtension(program) is "dotnet" or "testhost")
        {
            return Fail("up: -d starts the tether program again in the background, but this process is not the tether program: run the tether tool itself.");
        }

        if (!OperatingSystem.IsLinux())
        {
            return Fail("up: -d needs Linux.");
        }

        Directory.CreateDirectory(set.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var log = Path.Combine(set.StateDirectory, "up.log");
        List<string> arguments = ["up"];
        if (parse.GetResult(_procfile) is { Implicit: false })
        {
            arguments.AddRange(["--procfile", set.SourcePath ?? ProcfileReader.DefaultFileName]);
        }
        else
        {
            arguments.AddRange(["-f", set.SourcePath ?? Path.Combine(set.ProjectDirectory, ServiceSetLoader.DefaultFileName)]);
        }

        if (parse.GetValue(_notify))
        {
            arguments.Add("--notify");
        }

        if (http is not null)
        {
            arguments.AddRange(["--http", http.Endpoint.ToString()]);
        }

        AddTraceArguments(parse, arguments);

        DetachedProcess detached;
        try
        {
            var command = new Command(program).WithArguments(arguments).WithWorkingDirectory(set.ProjectDirectory);
            if (http?.Token is { } token)
            {
                // Through the environment, never the argument list (visible to every user in ps) or the output file.
                command = command.WithEnvironmentVariable(TokenVariable, token);
            }

            if (parse.GetValue(_otlp.Option) is { Length: > 0 } otlp)
            {
                // A collector URL may carry credentials: the environment too, where --otlp's own fallback reads it.
                command = command.WithEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT", otlp);
            }

            detached = await ProcessRunner.Default.StartDetachedAsync(command, log, log, Interruption.StopRequested).ConfigureAwait(false);
        }
        catch (TetherException ex)
        {
            return Fail("up: cannot start the supervisor in the background: " + ex.Message);
        }

        var start = TimeProvider.System.GetTimestamp();
        while (true)
        {
            try
            {
                var status = await client.StatusAsync(Interruption.StopRequested).ConfigureAwait(false);
                WriteLine($"Supervisor running in the background: pid {status.Pid.ToString(CultureInfo.InvariantCulture)}, {Count(set.Services.Count, "service")}.");
                WriteLine($"  control socket  {socket}");
                WriteLine($"  output          {log}");
                if (http is not null)
                {
                    var page = $"http://{http.Endpoint}/";
                    WriteLine($"  status page     {page}" + (http.Generated ? $"?token={http.Token}  (token: {http.Token})" : http.Token is null ? "" : "  (bearer token required)"));
                }

                WriteLine("  see it with 'tether status' and 'tether logs'; stop it with 'tether down'.");
                return ExitCodes.Success;
            }
            catch (SupervisorNotRunningException)
            {
                if (!detached.IsRunning)
                {
                    return Fail($"up: the supervisor started in the background exited before it answered: {LastLine(log)} (all of its output: {log})");
                }

                if (TimeProvider.System.GetElapsedTime(start) > DetachedStartLimit)
                {
                    return Fail($"up: the supervisor started in the background (pid {detached.Pid.ToString(CultureInfo.InvariantCulture)}) did not answer on {socket} within {DetachedStartLimit.TotalSeconds:0}s; see {log}.");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), Interruption.StopRequested).ConfigureAwait(false);
            }
        }
    }

    private static string LastLine(string path)
    {
        try
        {
            return File.ReadLines(path).LastOrDefault(l => l.Length > 0) is { } line ? Printable(line) : "it printed nothing";
        }
        catch (IOException)
        {
            return "its output could not be read";
        }
    }
}
