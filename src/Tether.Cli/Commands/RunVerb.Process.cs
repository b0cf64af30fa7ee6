using System.CommandLine;
using System.Runtime.InteropServices;

namespace Tether.Cli.Commands;

/// <summary>
/// The options of <c>tether run</c> that say how the program is started (terminal, user, mask, session, priorities),
/// what it may use (memory, CPUs, processes, ulimits), how often it is tried, and what it must be ready for.
/// </summary>
internal sealed partial class RunVerb
{
    /// <summary>The wait for readiness when <c>--wait-timeout</c> is not given.</summary>
    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The first pause between attempts when <c>--retry-backoff</c> is not given.</summary>
    private static readonly TimeSpan DefaultRetryBackoff = TimeSpan.FromSeconds(1);

    private readonly Option<string> _tty = new("--tty")
    {
        HelpName = "COLSxROWS",
        Arity = ArgumentArity.ZeroOrOne,
        Description = "Run the program in a pseudo-terminal, so it sees a terminal (colours, progress bars); its stderr then arrives merged into stdout. The size is tether's own terminal's, kept in step when it is resized, or 80x24 when tether's stdout is not a terminal; --tty=120x40 sets it.",
    };

    private readonly Option<string> _user = new("--user")
    {
        HelpName = "NAME|UID[:GID]",
        Description = "Run the program as this user: a name (with its groups), or a numeric UID and GID (a UID alone takes the GID of the same number). Needs root.",
    };

    private readonly Option<string> _umask = new("--umask")
    {
        HelpName = "OCTAL",
        Description = "The program's file mode creation mask, such as 022 or 077 [default: tether's own].",
    };

    private readonly Option<bool> _newSession = new("--new-session")
    {
        Description = "Start the program in a new session (setsid), with no controlling terminal. It stays contained.",
    };

    private readonly Option<string> _nice = new("--nice")
    {
        HelpName = "N",
        Description = "The program's niceness, from -20 (most favoured) to 19 (least); below tether's own needs root.",
    };

    private readonly Option<string> _ionice = new("--ionice")
    {
        HelpName = "CLASS",
        Description = "The program's I/O priority: idle, be:N (best effort) or rt:N (real time, needs root), N from 0 (highest) to 7.",
    };

    private readonly Option<string> _memory = new("--memory")
    {
        HelpName = "SIZE",
        Description = "The most memory the whole tree may use, such as 512M or 1G (at least 1M); at the limit the kernel kills a process of the tree. Needs a cgroup.",
    };

    private readonly Option<string> _cpus = new("--cpus")
    {
        HelpName = "N",
        Description = "The CPU time the whole tree may use, in CPUs, such as 0.5 or 2; the tree is slowed down, not killed. Needs a cgroup.",
    };

    private readonly Option<string> _pids = new("--pids")
    {
        HelpName = "N",
        Description = "The most processes and threads the whole tree may have alive at once; a fork beyond it fails. Needs a cgroup.",
    };

    private readonly Option<string[]> _ulimit = new("--ulimit")
    {
        HelpName = "NAME=N",
        Description = "A resource limit the program starts with, soft and hard: nofile (open files), core (core file bytes), cpu (CPU seconds) or nproc (processes of the user); N or unlimited. Repeatable, or a comma list: --ulimit nofile=1024,core=0.",
    };

    private readonly Option<string> _retry = new("--retry")
    {
        HelpName = "N",
        Description = "Run the program up to N times in all while it times out (or, with --retry-on-exit, exits non-zero), and exit as the last run did. Output of every run is streamed.",
    };

    private readonly Option<string> _retryBackoff = new("--retry-backoff")
    {
        HelpName = "DURATION",
        Description = "The pause before the second run; it doubles for each run after, up to 30s [default: 1s]. Needs --retry.",
    };

    private readonly Option<bool> _retryOnExit = new("--retry-on-exit")
    {
        Description = "Run again also when the program exits with a non-zero code. Needs --retry.",
    };

    private readonly Option<string> _waitPort = new("--wait-port")
    {
        HelpName = "[HOST:]PORT",
        Description = "After the start, wait until a TCP connection to HOST:PORT succeeds [default host: 127.0.0.1], then print 'tether: ready (...)' on stderr.",
    };

    private readonly Option<string> _waitSocket = new("--wait-socket")
    {
        HelpName = "PATH",
        Description = "After the start, wait until a connection to the Unix socket PATH succeeds.",
    };

    private readonly Option<string> _waitHttp = new("--wait-http")
    {
        HelpName = "URL",
        Description = "After the start, wait until a GET of the http or https URL answers 2xx.",
    };

    private readonly Option<string> _waitFile = new("--wait-file")
    {
        HelpName = "PATH",
        Description = "After the start, wait until PATH exists.",
    };

    private readonly Option<string> _waitTimeout = new("--wait-timeout")
    {
        HelpName = "DURATION",
        Description = "How long the --wait-* options wait in all; when the program is not ready by then, or ends first, tether stops the tree and exits 1 [default: 30s].",
    };

    /// <summary>Adds the options of this file to the verb, in the order the help lists them.</summary>
    private void AddProcessOptions()
    {
        _ulimit.AllowMultipleArgumentsPerToken = false;
        Add(_tty);
        Add(_user);
        Add(_umask);
        Add(_newSession);
        Add(_nice);
        Add(_ionice);
        Add(_memory);
        Add(_cpus);
        Add(_pids);
        Add(_ulimit);
        Add(_retry);
        Add(_retryBackoff);
        Add(_retryOnExit);
        Add(_waitPort);
        Add(_waitSocket);
        Add(_waitHttp);
        Add(_waitFile);
        Add(_waitTimeout);
    }

    /// <summary>Applies the start options to <paramref name="command"/>; throws <see cref="UsageException"/> for a bad value.</summary>
    private Command ReadStartOptions(ParseResult parse, Command command)
    {
        if (parse.GetResult(_tty) is not null)
        {
            var size = parse.GetValue(_tty) is { } text ? ProcessOptionValues.TerminalSize("--tty", text) : OwnTerminalSize() ?? new TerminalSize(80, 24);
            command = command.WithPseudoTerminal(size.Columns, size.Rows);
        }

        if (parse.GetValue(_user) is { } user)
        {
            command = command.WithUser(ProcessOptionValues.User("--user", user));
        }

        if (ProcessOptionValues.Umask("--umask", parse.GetValue(_umask)) is { } umask)
        {
            command = command.WithUmask(umask);
        }

        if (parse.GetValue(_newSession))
        {
            command = command.WithNewSession();
        }

        if (OptionValues.Integer("--nice", parse.GetValue(_nice), -20, 19, "10") is { } nice)
        {
            command = command.WithNiceness(nice);
        }

        if (ProcessOptionValues.IoPriority("--ionice", parse.GetValue(_ionice)) is { } ionice)
        {
            command = command.WithIoPriority(ionice);
        }

        if (OptionValues.Size("--memory", parse.GetValue(_memory)) is { } memory)
        {
            if (memory < 1024 * 1024)
            {
                throw new UsageException($"--memory: '{parse.GetValue(_memory)}' is less than 1M: a tree needs more to start, give 1M or more, such as 512M.");
            }

            command = command.WithMemoryLimit(memory);
        }

        if (ProcessOptionValues.Cpus("--cpus", parse.GetValue(_cpus)) is { } cpus)
        {
            command = command.WithCpuLimit(cpus);
        }

        if (OptionValues.Integer("--pids", parse.GetValue(_pids), 1, int.MaxValue, "100") is { } pids)
        {
            command = command.WithProcessCountLimit(pids);
        }

        foreach (var (limit, value) in ProcessOptionValues.ResourceLimits("--ulimit", parse.GetValue(_ulimit) ?? []))
        {
            command = command.WithResourceLimit(limit, value);
        }

        return command;
    }

    /// <summary>Reads <c>--retry</c> and its companions; null when the program runs once.</summary>
    private RetryPolicy? ReadRetry(ParseResult parse)
    {
        var attempts = OptionValues.Integer("--retry", parse.GetValue(_retry), 1, 1000, "3");
        var backoffText = parse.GetValue(_retryBackoff);
        var onExit = parse.GetValue(_retryOnExit);
        if (attempts is null)
        {
            if (backoffText is not null || onExit)
            {
                throw new UsageException($"{(onExit ? "--retry-on-exit" : "--retry-backoff")}: it says how runs are retried, so it needs --retry N as well.");
            }

            return null;
        }

        var backoff = OptionValues.Wait("--retry-backoff", backoffText, allowZero: true, "give a shorter one, such as 5s") ?? DefaultRetryBackoff;
        return new RetryPolicy(attempts.Value)
        {
            Backoff = Backoff.Exponential(backoff) with { Jitter = 0 },
            RetryOn = onExit ? RetryOn.Timeout | RetryOn.TransientSpawnFailure | RetryOn.NonZeroExit : RetryOn.Default,
        };
    }

    /// <summary>Reads the <c>--wait-*</c> options into the checks to make after the start, in the order given here.</summary>
    private ReadinessWaits? ReadReadiness(ParseResult parse)
    {
        var checks = new List<ReadinessCheck>();
        if (parse.GetValue(_waitPort) is { } port)
        {
            var (host, number) = HostAndPort("--wait-port", port);
            checks.Add(new ReadinessCheck($"port {host}:{number}", (process, timeout, cancel) => process.WaitForPortAsync(host, number, timeout, cancel)));
        }

        if (parse.GetValue(_waitSocket) is { } socket)
        {
            var path = NonEmptyPath("--wait-socket", socket);
            checks.Add(new ReadinessCheck($"socket {path}", (process, timeout, cancel) => process.WaitForUnixSocketAsync(path, timeout, cancel)));
        }

        if (parse.GetValue(_waitHttp) is { } http)
        {
            if (!Uri.TryCreate(http, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                throw new UsageException($"--wait-http: '{http}' is not an http or https URL: write one such as --wait-http http://127.0.0.1:8080/health.");
            }

            checks.Add(new ReadinessCheck($"http {url}", (process, timeout, cancel) => process.WaitForHttpAsync(url, timeout, cancellationToken: cancel)));
        }

        if (parse.GetValue(_waitFile) is { } file)
        {
            var path = NonEmptyPath("--wait-file", file);
            checks.Add(new ReadinessCheck($"file {path}", (process, timeout, cancel) => process.WaitForFileAsync(path, timeout, cancel)));
        }

        var timeoutText = parse.GetValue(_waitTimeout);
        if (checks.Count == 0)
        {
            return timeoutText is null ? null : throw new UsageException("--wait-timeout: it says how long the --wait-* options wait, so it needs one of them as well.");
        }

        var timeout = OptionValues.Wait("--wait-timeout", timeoutText, allowZero: false, "give a shorter one, such as 2m") ?? DefaultReadyTimeout;
        return new ReadinessWaits(checks, timeout);
    }

    private static (string Host, int Port) HostAndPort(string option, string text)
    {
        var colon = text.LastIndexOf(':');
        var host = colon < 0 ? "127.0.0.1" : text[..colon].Trim('[', ']');
        var portText = colon < 0 ? text : text[(colon + 1)..];
        if (host.Length == 0 || !int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new UsageException($"{option}: '{text}' is not a port: write PORT or HOST:PORT with a port from 1 to 65535, such as {option} 8080 or {option} localhost:8080.");
        }

        return (host, port);
    }

    private static string NonEmptyPath(string option, string text) =>
        text.Length > 0 ? text : throw new UsageException($"{option}: the path is empty: give a path, or leave the option out.");

    /// <summary>The size of the terminal tether's stdout is, or null when it is not a terminal.</summary>
    private static TerminalSize? OwnTerminalSize()
    {
        if (System.Console.IsOutputRedirected)
        {
            return null;
        }

        try
        {
            var (columns, rows) = (System.Console.WindowWidth, System.Console.WindowHeight);
            return columns > 0 && rows > 0 ? new TerminalSize(columns, rows) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// Keeps the program's pseudo-terminal the size of tether's own terminal: on SIGWINCH, resizes it. Null when there
    /// is nothing to keep in step (no pseudo-terminal, or tether's stdout is not a terminal).
    /// </summary>
    private static PosixSignalRegistration? ForwardResizes(Command command, RunningProcess process)
    {
        if (command.PseudoTerminal is null || OwnTerminalSize() is null || OperatingSystem.IsWindows())
        {
            return null;
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ =>
        {
            if (OwnTerminalSize() is { } size)
            {
                process.ResizeTerminal(size.Columns, size.Rows);
            }
        });
    }

    /// <summary>
    /// Waits for what the <c>--wait-*</c> options ask for and prints the ready line; when it does not come, stops the
    /// tree and returns the line that says why (null when ready, or when an interruption cut the wait short: the wait
    /// for the run then reports that).
    /// </summary>
    private async Task<string?> NotReadyAsync(Command command, RunningProcess process, ReadinessWaits readiness)
    {
        try
        {
            await readiness.WaitAsync(process, Interruption.StopRequested).ConfigureAwait(false);
            Console.WriteError($"ready ({readiness}).");
            return null;
        }
        catch (OperationCanceledException) when (Interruption.StopRequested.IsCancellationRequested)
        {
            return null;
        }
        catch (NotReadyException ex)
        {
            if (ex.ExitedWith is not null)
            {
                return $"not ready: {ex.Message}";
            }

            try
            {
                await process.StopAsync().ConfigureAwait(false);
            }
            catch (TetherException)
            {
                // The tree is killed when the process is disposed in any case; the line below says what matters.
            }

            return $"not ready: '{command.Program}' was not ready within {Durations.Format(readiness.Timeout)}: waited for {ex.WaitedFor}; its process tree was stopped.";
        }
    }

    /// <summary>Says so when the kernel killed processes of the tree at its <c>--memory</c> limit.</summary>
    private void ReportOutOfMemory(Command command, ProcessResult<byte[]> result)
    {
        if (result.OutOfMemoryKills > 0 && command.MemoryLimitBytes is { } limit)
        {
            Console.WriteError($"out of memory: the tree reached its --memory limit of {Sizes.Format(limit)} and the kernel killed {result.OutOfMemoryKills} of its processes.");
        }
    }

    /// <summary>The pause before run number <paramref name="next"/> (2 for the first retry): doubling, capped.</summary>
    private static TimeSpan PauseBefore(RetryPolicy retry, int next)
    {
        var backoff = retry.Backoff;
        var grown = backoff.InitialDelay.Ticks * Math.Pow(backoff.Multiplier, next - 2);
        return TimeSpan.FromTicks((long)Math.Min(grown, backoff.MaxDelay.Ticks));
    }

    /// <summary>Whether a finished run is tried again under <paramref name="retry"/>.</summary>
    private static bool RunsAgain(RetryPolicy retry, Outcome outcome) => outcome switch
    {
        Outcome.TimedOut => retry.RetryOn.HasFlag(RetryOn.Timeout),
        Outcome.Exited { Code: not 0 } => retry.RetryOn.HasFlag(RetryOn.NonZeroExit),
        _ => false,
    };

    /// <summary>One thing to wait for after the start, and how it is described in the ready line.</summary>
    private sealed record ReadinessCheck(string What, Func<RunningProcess, TimeSpan, CancellationToken, Task> WaitAsync);

    /// <summary>Everything the <c>--wait-*</c> options ask for, and how long it may take in all.</summary>
    private sealed record ReadinessWaits(IReadOnlyList<ReadinessCheck> Checks, TimeSpan Timeout)
    {
        /// <summary>Waits for each check in turn, all within <see cref="Timeout"/>.</summary>
        /// <exception cref="NotReadyException">A check was not met in time, or the run ended first.</exception>
        public async Task WaitAsync(RunningProcess process, CancellationToken cancellationToken)
        {
            var started = TimeProvider.System.GetTimestamp();
            foreach (var check in Checks)
            {
                var left = Timeout - TimeProvider.System.GetElapsedTime(started);
                await check.WaitAsync(process, left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>What the ready line names: <c>port 127.0.0.1:8080, file /tmp/ready</c>.</summary>
        public override string ToString() => string.Join(", ", Checks.Select(check => check.What));
    }
}
