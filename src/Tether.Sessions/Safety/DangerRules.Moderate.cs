using System.Text.RegularExpressions;

namespace Tether.Sessions;

// The Moderate preset's own rules: what loses work or takes things down.
public sealed partial class DangerRules
{
    private static IEnumerable<DangerRule> ModerateRules()
    {
        const DangerPreset preset = DangerPreset.Moderate;

        yield return DangerRule.ForCommand(
            "rm_recursive_force",
            "deletes recursively without asking",
            preset,
            x => x.View.Is("rm") && x.View.HasFlag('r', "recursive") && x.View.HasFlag('f', "force"));

        yield return DangerRule.ForCommand(
            "find_delete",
            "deletes every file the search finds",
            preset,
            x => x.View.Is("find") && x.View.HasArg("-delete"));

        yield return DangerRule.ForCommand(
            "git_force_push",
            "force-pushes, overwriting the remote's history",
            preset,
            x => Git(x.View) is { Program: "push" } push
                && (push.HasShort('f') || push.HasLong("force") || push.Operands().Any(o => o.StartsWith('+'))));

        yield return DangerRule.ForCommand(
            "git_reset_hard",
            "discards uncommitted changes",
            preset,
            x => Git(x.View) is { Program: "reset" } reset && reset.HasLong("hard"));

        yield return DangerRule.ForCommand(
            "git_clean_force",
            "deletes untracked files",
            preset,
            x => Git(x.View) is { Program: "clean" } clean && clean.HasFlag('f', "force") && !clean.HasFlag('n', "dry-run"));

        yield return DangerRule.ForCommand(
            "sql_drop",
            "drops or empties a database, schema or table",
            preset,
            x => x.View.Is("dropdb") || (x.View.IsAny(SqlClients) && SendsDrop(x)));

        yield return DangerRule.ForCommand(
            "kubectl_delete",
            "deletes Kubernetes resources",
            preset,
            x => x.View.IsAny("kubectl", "oc") && x.View.Subcommand(KubectlOptionsWithValue) is { Program: "delete" });

        yield return DangerRule.ForCommand(
            "docker_prune",
            "removes unused containers, images, networks or volumes for good",
            preset,
            x => Docker(x.View) is { Program: "system" or "container" or "image" or "volume" or "network" or "builder" or "buildx" } docker
                && docker.Subcommand() is { Program: "prune" });

        yield return DangerRule.ForCommand(
            "docker_force_remove",
            "removes containers, images or volumes by force, with their data",
            preset,
            x => Docker(x.View) is { } docker && (docker switch
            {
                { Program: "rm" or "rmi" } => docker.HasFlag('f', "force"),
                { Program: "container" or "image" } => docker.Subcommand() is { Program: "rm" or "remove" } remove && remove.HasFlag('f', "force"),
                { Program: "volume" } => docker.Subcommand() is { Program: "rm" or "remove" },
                _ => false,
            }));

        yield return DangerRule.ForCommand(
            "terraform_destroy",
            "destroys the infrastructure Terraform manages",
            preset,
            x => x.View.IsAny("terraform", "tofu", "terragrunt") && x.View.Subcommand() is { } sub
                && (sub.Program == "destroy" || (sub.Program == "apply" && (sub.HasArg("-destroy") || sub.HasArg("--destroy")))));

        yield return DangerRule.ForCommand(
            "power_state",
            "shuts down or restarts the machine",
            preset,
            x => (x.View.IsAny("shutdown", "reboot", "halt", "poweroff") && !(x.View.Is("shutdown") && x.View.HasShort('c')))
                || (x.View.IsAny("init", "telinit") && x.View.Operands().Any(o => o is "0" or "6"))
                || (x.View.Is("systemctl") && x.View.Subcommand(SystemctlOptionsWithValue) is { Program: "poweroff" or "reboot" or "halt" or "kexec" }));

        yield return DangerRule.ForCommand(
            "service_stop",
            "stops or disables a system service",
            preset,
            x => (x.View.Is("systemctl") && x.View.Subcommand(SystemctlOptionsWithValue) is { Program: "stop" or "disable" or "mask" })
                || (x.View.Is("service") && x.View.Operands().Skip(1).FirstOrDefault() == "stop"));

        yield return DangerRule.ForCommand(
            "kill_all_processes",
            "kills every process it may signal",
            preset,
            x => x.View.Is("killall5") || (x.View.Is("kill") && SignalsEveryProcess(x.View)));

        yield return DangerRule.ForCommand(
            "pipe_to_shell",
            "runs a script downloaded from the network",
            preset,
            x => x.View.IsAny(ShellsAndSourcing) && (x.UpstreamIsAny("curl", "wget") || x.SubstitutesAny("curl", "wget")));

        yield return DangerRule.ForCommand(
            "truncate",
            "cuts files to a size, discarding their contents",
            preset,
            x => x.View.Is("truncate"));

        yield return DangerRule.ForCommand(
            "move_to_dev_null",
            "moves files into /dev/null, destroying them",
            preset,
            x => x.View.Is("mv") && x.View.Args.Any(a => a is "/dev/null" or "--target-directory=/dev/null"));
    }

    // Read at match time only (see MinimalRules): static properties, each call a fresh array.
    private static string[] SqlClients =>
        ["psql", "mysql", "mariadb", "sqlite3", "sqlite", "sqlcmd", "clickhouse-client", "clickhouse", "duckdb", "cockroach", "cqlsh"];

    private static string[] ShellsAndSourcing =>
        ["sh", "bash", "rbash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh", "source", ".", "eval"];

    private static string[] KubectlOptionsWithValue =>
    [
        "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server", "--token", "--as",
        "--as-group", "--request-timeout", "--certificate-authority", "--client-certificate", "--client-key", "-v",
    ];

    private static string[] SystemctlOptionsWithValue =>
        ["-h", "--host", "-m", "--machine", "-t", "--type", "-p", "--property", "-s", "--signal", "-n", "--lines", "-o", "--output", "--root"];

    /// <summary>The git subcommand, after git's global options (<c>git -C dir -c k=v push</c>).</summary>
    private static CommandView? Git(CommandView view) => view.Is("git")
        ? view.Subcommand("-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--config-env")
        : null;

    /// <summary>The docker (or podman, nerdctl) subcommand, after its global options.</summary>
    private static CommandView? Docker(CommandView view) => view.IsAny("docker", "podman", "nerdctl")
        ? view.Subcommand("-h", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey")
        : null;

    // The SQL a client is given: its arguments (`psql -c "…"`, `mysql -e "…"`, `sqlite3 db "…"`), here-documents and
    // here-strings, and what an echo or printf just before it in a pipeline prints.
    private static bool SendsDrop(RuleInput x) =>
        x.Command.Words.Skip(1).Any(DropStatement().IsMatch)
        || x.Command.Redirections.Any(r => (r.HereDocument ?? (r.Operator.EndsWith("<<<", StringComparison.Ordinal) ? r.Target : null)) is { } text
            && DropStatement().IsMatch(text))
        || (x.Feeder is { } feeder && x.ViewOf(feeder).IsAny("echo", "printf") && feeder.Words.Skip(1).Any(DropStatement().IsMatch));

    /// <summary><c>kill -9 -1</c>, <c>kill -KILL -1</c>, <c>kill -s 9 -1</c>, <c>kill -- -1</c>: process id -1 is
    /// every process. (<c>kill -1 42</c> sends signal 1 to 42.)</summary>
    private static bool SignalsEveryProcess(CommandView kill)
    {
        var signalGiven = false;
        var operandsOnly = false;
        for (var i = 0; i < kill.Args.Length; i++)
        {
            var arg = kill.Args[i];
            if (operandsOnly || signalGiven)
            {
                if (arg == "-1")
                {
                    return true;
                }

                operandsOnly |= arg == "--";
                continue;
            }

            if (arg == "--")
            {
                operandsOnly = true;
            }
            else if (arg is "-s" or "-n" or "--signal")
            {
                signalGiven = true;
                i++;
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                signalGiven = true;
            }
            else
            {
                operandsOnly = true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"\b(drop\s+(database|schema|table)|truncate\s+(table\s+)?[\w""`\[])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DropStatement();
}
