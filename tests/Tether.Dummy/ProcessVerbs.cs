using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace DummyProgram;

/// <summary>Verbs about the process itself: sleeping, ignoring SIGTERM, reporting ids, leaving descendants behind.</summary>
internal static partial class ProcessVerbs
{
    /// <summary><c>sleep MS</c>: sleeps, then exits 0.</summary>
    public static int Sleep(string[] args)
    {
        Thread.Sleep(Output.ParseInt(args[0]));
        return 0;
    }

    /// <summary>
    /// <c>ignore-term SLEEP_MS</c>: ignores SIGTERM, prints <c>ready</c> once it does, and sleeps; only SIGKILL (or
    /// another signal) ends it early.
    /// </summary>
    public static int IgnoreTerm(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ignore-term is for Linux");
        }

        using var registration = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = true);
        Output.Stdout.WriteLine("ready");
        Thread.Sleep(Output.ParseInt(args[0]));
        return 0;
    }

    /// <summary>
    /// <c>count-signal SIGNO</c>: handles signal SIGNO, printing <c>got SIGNO N</c> for the Nth delivery, after printing
    /// <c>ready</c>; sleeps until killed. Real-time signals queue, so every delivery is counted.
    /// </summary>
    public static int CountSignal(string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("count-signal is for Linux");
        }

        var number = Output.ParseInt(args[0]);
        var count = 0;
        using var registration = PosixSignalRegistration.Create((PosixSignal)number, context =>
        {
            context.Cancel = true;
            Output.Stdout.WriteLine($"got {number.ToString(CultureInfo.InvariantCulture)} {Interlocked.Increment(ref count).ToString(CultureInfo.InvariantCulture)}");
        });
        Output.Stdout.WriteLine("ready");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary><c>pids</c>: prints <c>pid N</c>, <c>pgid N</c> and <c>sid N</c> for itself.</summary>
    public static int Pids()
    {
        Output.Stdout.WriteLine($"pid {Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        Output.Stdout.WriteLine($"pgid {getpgid(0).ToString(CultureInfo.InvariantCulture)}");
        Output.Stdout.WriteLine($"sid {getsid(0).ToString(CultureInfo.InvariantCulture)}");
        return 0;
    }

    /// <summary>
    /// <c>grandchild [--setsid] [--hold-stdout] [--then-sleep MS]</c>: leaves a <c>sleep 600</c> behind, orphaned (its
    /// parent shell exits at once), prints <c>grandchild PID</c>, then exits or sleeps MS. With <c>--setsid</c> the
    /// grandchild starts its own session (leaving any process group); with <c>--hold-stdout</c> it keeps our stdout
    /// open, otherwise its stdio is <c>/dev/null</c>. The line is printed only once what it announces is true: with
    /// <c>--setsid</c>, once the grandchild leads its own session.
    /// </summary>
    public static int Grandchild(string[] args)
    {
        var setsid = Output.Flag(args, "--setsid");
        var stdout = Output.Flag(args, "--hold-stdout") ? "" : " >/dev/null";

        // A background job of a non-interactive shell is not a group leader, so setsid(1) calls setsid() itself and
        // execs sleep: $! is the sleep's own pid. The shell tells us the pid on its stderr (its stdout is ours, which
        // the grandchild may hold), and we announce it ourselves, after setsid() has run: printing $! at once raced
        // with it, and a spec read the process group of a grandchild that had not left it yet (issue 11).
        var script = $"{(setsid ? "setsid " : "")}sleep 600 </dev/null{stdout} 2>/dev/null & echo \"$!\" >&2";
        int pid;
        using (var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false, RedirectStandardError = true })!)
        {
            var said = shell.StandardError.ReadLine();
            shell.WaitForExit();
            if (shell.ExitCode != 0 || !int.TryParse(said, NumberStyles.None, CultureInfo.InvariantCulture, out pid))
            {
                Output.Stderr.WriteLine($"the shell that starts the grandchild exited with {shell.ExitCode} and said '{said}'");
                return 1;
            }
        }

        if (setsid && !WaitForOwnSession(pid))
        {
            Output.Stderr.WriteLine($"the grandchild {pid} did not start its own session");
            return 1;
        }

        Output.Stdout.WriteLine($"grandchild {pid.ToString(CultureInfo.InvariantCulture)}");
        if (Output.Option(args, "--then-sleep") is { } ms)
        {
            Thread.Sleep(Output.ParseInt(ms));
        }

        return 0;
    }

    /// <summary>Waits (generously: the machine may be loaded) until <paramref name="pid"/> leads its own session.</summary>
    private static bool WaitForOwnSession(int pid)
    {
        var waited = Stopwatch.StartNew();
        while (getsid(pid) != pid)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30) || getsid(pid) < 0)
            {
                return false;
            }

            Thread.Sleep(2);
        }

        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpgid(int pid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsid(int pid);
}
