using System.Globalization;
using System.Text;

namespace Tether.Benchmarks.Supervisor;

/// <summary>
/// The workload every supervisor runs: ten services — eight sleeps, a Python HTTP server, and one service that starts a
/// <c>setsid</c> child and a double-forked grandchild. Each process carries a marker in its argument vector (a distinct
/// sleep length, the server's port), so the measurement finds them in <c>/proc</c> whatever supervisor started them.
/// </summary>
internal static class SupervisorWorkload
{
    public const int HttpPort = 18931;

    /// <summary>The eight plain sleeps.</summary>
    public static readonly string[] Sleeps = [.. Enumerable.Range(1, 8).Select(i => (1_000_000 + i).ToString(CultureInfo.InvariantCulture))];

    /// <summary>The tree service: a setsid child (…9), a double-forked grandchild (…10) and the service itself (…11).</summary>
    public const string TreeScript = "setsid sleep 1000009 & sh -c 'sleep 1000010 &'; exec sleep 1000011";

    /// <summary>Every marker that must be alive for the workload to count as all running.</summary>
    public static readonly string[] Markers = [.. Sleeps, "1000009", "1000010", "1000011", "http.server"];

    public static string TetherYaml()
    {
        var yaml = new StringBuilder("services:\n");
        for (var i = 0; i < Sleeps.Length; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  sleep{i + 1}:\n    command: [sleep, \"{Sleeps[i]}\"]\n");
        }

        yaml.Append(CultureInfo.InvariantCulture, $"  web:\n    command: [python3, -m, http.server, \"{HttpPort}\", --bind, 127.0.0.1]\n");
        yaml.Append(CultureInfo.InvariantCulture, $"  tree:\n    shell: \"{TreeScript}\"\n");
        return yaml.ToString();
    }

    /// <summary>What a careful supervisord user writes: start at once, signal and kill the whole group.</summary>
    public static string SupervisordConf(string directory)
    {
        var conf = new StringBuilder();
        conf.Append(CultureInfo.InvariantCulture, $"[supervisord]\nnodaemon=true\nlogfile={directory}/supervisord.log\npidfile={directory}/supervisord.pid\nchildlogdir={directory}\n\n");
        conf.Append(CultureInfo.InvariantCulture, $"[unix_http_server]\nfile={directory}/supervisor.sock\n\n[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n");
        conf.Append(CultureInfo.InvariantCulture, $"[supervisorctl]\nserverurl=unix://{directory}/supervisor.sock\n\n");
        void Program(string name, string command) => conf.Append(CultureInfo.InvariantCulture,
            $"[program:{name}]\ncommand={command}\nstartsecs=0\nautorestart=true\nstopasgroup=true\nkillasgroup=true\nstopwaitsecs=10\n\n");
        for (var i = 0; i < Sleeps.Length; i++)
        {
            Program($"sleep{i + 1}", $"sleep {Sleeps[i]}");
        }

        Program("web", $"python3 -m http.server {HttpPort} --bind 127.0.0.1");
        Program("tree", $"/bin/sh -c \"{TreeScript}\"");
        return conf.ToString();
    }

    /// <summary>A pm2 ecosystem file: binaries run without an interpreter, tree kill on stop (pm2's default).</summary>
    public static string Pm2Ecosystem()
    {
        var apps = new List<string>();
        for (var i = 0; i < Sleeps.Length; i++)
        {
            apps.Add($"{{ name: 'sleep{i + 1}', script: 'sleep', args: ['{Sleeps[i]}'], interpreter: 'none', autorestart: true, kill_timeout: 10000 }}");
        }

        apps.Add($"{{ name: 'web', script: 'python3', args: ['-m', 'http.server', '{HttpPort}', '--bind', '127.0.0.1'], interpreter: 'none', autorestart: true, kill_timeout: 10000 }}");
        apps.Add($"{{ name: 'tree', script: '/bin/sh', args: ['-c', \"{TreeScript}\"], interpreter: 'none', autorestart: true, kill_timeout: 10000 }}");
        return "module.exports = { apps: [\n  " + string.Join(",\n  ", apps) + "\n] };\n";
    }

    /// <summary>The pids of workload processes alive now (zombies excluded), by marker.</summary>
    public static Dictionary<string, List<int>> Alive()
    {
        var found = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string[] argv;
            try
            {
                argv = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            var marker = argv switch
            {
                [var program, var length] when program.EndsWith("sleep", StringComparison.Ordinal) && length.StartsWith("10000", StringComparison.Ordinal) => length,
                _ when argv.Contains("http.server") && argv.Contains(HttpPort.ToString(CultureInfo.InvariantCulture)) => "http.server",
                _ => null,
            };
            if (marker is not null && Markers.Contains(marker) && !OwnerDeath.ProcStat.IsDead(pid))
            {
                (found.TryGetValue(marker, out var pids) ? pids : found[marker] = []).Add(pid);
            }
        }

        return found;
    }

    /// <summary>SIGKILLs every workload process still alive (the benchmark leaves nothing behind).</summary>
    public static int KillLeftovers()
    {
        var killed = 0;
        foreach (var pid in Alive().Values.SelectMany(p => p))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
                killed++;
            }
            catch (ArgumentException)
            {
            }
            catch (InvalidOperationException)
            {
            }
        }

        return killed;
    }
}
