using System.Globalization;
using Tether;

namespace DummyProgram;

/// <summary>
/// <c>host [--process-group] [--held]</c>: the owner in the owner-death spec. It starts a process tree with Tether, prints
/// <c>mechanism M</c>, then <c>pid N</c> for the direct child and every descendant (<c>pid N setsid</c> for one that
/// started its own session), then <c>ready</c>, and waits to be killed.
/// </summary>
/// <remarks>
/// The tree has a plain background child, a double-forked orphan, and (except with <c>--process-group</c>, whose
/// documented limit is exactly that escape) a child that called setsid. With <c>--held</c> the tree is niced, so it is
/// held before its exec and the host makes its cgroup gate (a private directory of FIFOs under TMPDIR). The host stays until its stdin closes, so a
/// spec that dies without killing it does not leave it (and its tree) behind: give it a pipe as stdin.
/// </remarks>
internal static class HostVerb
{
    private const string Tree = """
        sleep 600 </dev/null >/dev/null 2>&1 &
        echo "pid $!"
        ( sleep 600 </dev/null >/dev/null 2>&1 & echo "pid $!" )
        """;

    // Announced only once it leads its own session (field 6 of /proc/PID/stat): printing $! at once raced with
    // setsid(), so a loaded machine could report an escapee that had not escaped yet (issue 11).
    private const string SetsidChild = """
        setsid sleep 600 </dev/null >/dev/null 2>&1 &
        p=$!
        n=0
        while [ $n -lt 3000 ] && read -r s </proc/$p/stat 2>/dev/null; do
          set -- $s
          [ "$6" = "$p" ] && break
          sleep 0.01
          n=$((n+1))
        done
        echo "pid $p setsid"
        """;

    private const string Ready = """
        echo ready
        exec sleep 600
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var processGroup = Output.Flag(args, "--process-group");
        var held = Output.Flag(args, "--held");
        var parts = processGroup ? new[] { Tree, Ready } : new[] { Tree, SetsidChild, Ready };
        var script = string.Join('\n', parts);
        var command = new Command("/bin/sh")
            .WithArguments("-c", script)
            .WithContainment(processGroup ? ContainmentMode.ProcessGroup : ContainmentMode.Auto);
        if (held)
        {
            command = command.WithNiceness(1);
        }

        var tree = await ProcessRunner.Default.StartAsync(command);
        await using (tree)
        {
            Output.Stdout.WriteLine($"mechanism {tree.Mechanism}");
            Output.Stdout.WriteLine($"pid {tree.Pid.ToString(CultureInfo.InvariantCulture)}");
            var ready = false;
            await foreach (var line in tree.StdoutLines())
            {
                if (line == "ready")
                {
                    ready = true;
                    break;
                }

                Output.Stdout.WriteLine(line);
            }

            if (!ready)
            {
                Output.Stderr.WriteLine($"the tree ended before it was ready: {await tree.WaitAsync()}");
                return 1;
            }

            Output.Stdout.WriteLine("ready");

            // Wait to be SIGKILLed. Should our stdin close first, the spec is gone: leave nothing behind.
            using var stdin = Console.OpenStandardInput();
            await stdin.CopyToAsync(Stream.Null);
        }

        return 0;
    }
}
