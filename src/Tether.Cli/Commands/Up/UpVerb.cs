using System.CommandLine;
using System.Globalization;
using Tether.Cli.Telemetry;
using Tether.Supervisor;

namespace Tether.Cli.Commands;

/// <summary>
/// <c>tether up [-f FILE] [--procfile [FILE]] [--check] [-d] [--notify] [--otlp URL] [--trace FILE]</c>: runs the project's services from its
/// tether.yaml (or Procfile) until Ctrl+C, SIGTERM or <c>tether down</c>, and serves the control API on
/// <c>.tether/control.sock</c>; or checks the file; or starts itself in the background.
/// </summary>
internal sealed partial class UpVerb : Verb
{
    private const string Usage = "[-f FILE] [--procfile [FILE]] [--check] [-d|--detach] [--notify] [--http ADDRESS:PORT [--token TOKEN]] [--trace FILE]";

    private const string Notes = """
        Reads tether.yaml in the current directory (or -f FILE; --procfile reads a foreman Procfile
        instead, ./Procfile unless named), checks it against this host, and starts the services in
        dependency order, each contained: nothing a service starts outlives 'tether up', not even when
        'tether up' itself is killed with SIGKILL. The format: docs/formats/tether-yaml.md.

        In the foreground every line of every service is printed prefixed with its instance's name ('web |',
        'web#1 |'; '!' marks stderr; coloured on a terminal unless NO_COLOR is set), and state changes are
        printed as 'web * ready'. Ctrl+C or SIGTERM stops the services in reverse dependency order, each
        tree with its stop signal and grace period; a second Ctrl+C kills them at once.

        Everything lives in .tether/ beside the file: the journal ('tether journal show .tether/journal'
        explains every start, exit and restart), each service's log (.tether/logs/NAME.log, rotated), and
        the control socket that 'tether status', 'logs', 'start', 'stop', 'restart', 'scale', 'reload' and
        'down' use (docs/api.md; only your user may use it). One supervisor per project directory: a second
        'tether up' there is refused.

        --check validates the file and this host's support for it (limits, user, programs, directories)
        without starting anything, printing every problem as FILE:LINE:COL: message.
        -d starts the supervisor in the background (its output in .tether/up.log), waits until it answers,
        and prints its pid, socket and log. --notify (or NOTIFY_SOCKET set by systemd) sends READY=1 once
        every service is ready, and WATCHDOG=1 pings when WATCHDOG_USEC is set. As PID 1 (a container,
        'unshare --pid --fork') it also reaps orphaned zombies.

        --http ADDRESS:PORT also serves the API on TCP, with a status page at / (every service, live,
        with its log and its restarts explained, and restart/stop/start buttons) and Prometheus metrics
        at /metrics. On loopback (127.0.0.1, [::1]) it is open to browsers on this machine; anywhere else
        a bearer token is required: give it with TETHER_TOKEN (or --token), or one is generated and
        printed once with the address to open. With a token, scripts send 'Authorization: Bearer TOKEN';
        the page's buttons work only from the page itself (docs/api.md, "Security").

        --trace FILE records every input of the supervisor's engine (starts, exits, probe verdicts,
        ticks, commands, reloads), about 10 bytes each, rotated at --trace-max-size keeping --trace-keep
        older files; no environment value, command or probe URL is written. 'tether trace replay FILE'
        re-runs the engine over it, 'tether trace explain FILE --service web' tells why web was
        restarted, stopped or given up (docs/formats/trace.md).

        Exit codes: 0 stopped cleanly (or the file is valid, with --check; or started, with -d); 1 the file
        is invalid, another supervisor runs here, or the supervisor failed; 2 a usage error, or an invalid
        file with --check.

        Examples:
          tether up
          tether up -d && tether status
          tether up -f deploy/tether.yaml --check
          tether up --procfile
          tether up --http 127.0.0.1:7070
          TETHER_TOKEN=$(cat ~/.tether-token) tether up -d --http 0.0.0.0:7070
          tether up --trace .tether/up.trace

        """;

    private readonly Option<string> _file = new("--file", "-f") { HelpName = "FILE", Description = "The tether.yaml to run [default: ./tether.yaml]." };
    private readonly Option<string> _procfile = new("--procfile") { HelpName = "FILE", Description = "Run a foreman Procfile instead [default: ./Procfile].", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _check = new("--check") { Description = "Only check the file and this host's support for it; exit 0 when valid, 2 with every error." };
    private readonly Option<bool> _detach = new("--detach", "-d") { Description = "Run in the background; output to .tether/up.log." };
    private readonly Option<bool> _notify = new("--notify") { Description = "Send READY=1 and WATCHDOG=1 to NOTIFY_SOCKET (systemd Type=notify)." };
    private readonly OtlpOption _otlp = new();

    public UpVerb(VerbContext context)
        : base(context, "up", "Run the project's services from tether.yaml: ordered, health-checked, restarted, journaled and never orphaned.", Usage, Notes)
    {
        Add(_file);
        Add(_procfile);
        Add(_check);
        Add(_detach);
        Add(_notify);
        Add(_http);
        Add(_token);
        Add(_otlp.Option);
        Add(_trace);
        Add(_traceMaxSize);
        Add(_traceKeep);
        SetAction((parse, _) => _otlp.ExportWhileAsync(parse, "up", () => ExecuteAsync(parse)));
    }

    private async Task<int> ExecuteAsync(ParseResult parse)
    {
        var source = Source(parse);
        ServiceSet set;
        try
        {
            set = source.Load();
            if (parse.GetValue(_check))
            {
                return Check(set);
            }

            ServiceSetChecks.ThrowIfUnrunnable(set);
        }
        catch (ConfigurationException ex)
        {
            foreach (var error in ex.Errors)
            {
                Console.Error.WriteLine(Printable(error.ToString()));
            }

            Console.WriteError($"up: {Count(ex.Errors.Count, "error")} in {source.Path}: fix {(ex.Errors.Count == 1 ? "it" : "them")} and run 'tether up' again (or 'tether up --check' to check without starting).");
            return parse.GetValue(_check) ? ExitCodes.Usage : ExitCodes.Failure;
        }

        var http = Http(parse);
        var trace = TraceSettings(parse);
        return parse.GetValue(_detach)
            ? await DetachAsync(parse, set, http).ConfigureAwait(false)
            : await RunAsync(set, source, parse.GetValue(_notify), http, trace).ConfigureAwait(false);
    }

    /// <summary>--check: every problem this host has with a valid file, or a one-line summary.</summary>
    private int Check(ServiceSet set)
    {
        var errors = ServiceSetChecks.Check(set);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        var instances = set.Services.Sum(s => s.Replicas);
        WriteLine($"{Printable(set.SourcePath ?? set.ProjectDirectory)}: valid — {Count(set.Services.Count, "service")}, {Count(instances, "instance")}.");
        return ExitCodes.Success;
    }

    /// <summary>Where the services come from: tether.yaml or a Procfile, and how to read it again for a reload.</summary>
    private ConfigSource Source(ParseResult parse)
    {
        var procfile = parse.GetResult(_procfile) is { Implicit: false };
        if (procfile && parse.GetValue(_file) is not null)
        {
            throw new UsageException("up: give either -f FILE or --procfile FILE, not both.");
        }

        var path = procfile
            ? parse.GetValue(_procfile) ?? ProcfileReader.DefaultFileName
            : parse.GetValue(_file) ?? ServiceSetLoader.DefaultFileName;
        return new ConfigSource(Path.GetFullPath(path), procfile);
    }

    private static string Count(int count, string noun) =>
        count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? "" : "s");

    /// <summary>A tether.yaml or a Procfile, read the same way at start and on every reload.</summary>
    internal sealed record ConfigSource(string Path, bool IsProcfile)
    {
        public ServiceSet Load() => IsProcfile ? ProcfileReader.Load(Path) : ServiceSetLoader.Load(Path);
    }
}
