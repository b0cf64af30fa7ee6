namespace Tether.Sessions;

// The Strict preset's own rules: anything that deletes, escalates or changes shared state.
public sealed partial class DangerRules
{
    private static IEnumerable<DangerRule> StrictRules()
    {
        const DangerPreset preset = DangerPreset.Strict;

        yield return DangerRule.ForCommand(
            "rm",
            "deletes files",
            preset,
            x => x.View.Is("rm"));

        yield return DangerRule.ForCommand(
            "recursive_permissions",
            "changes permissions or owners recursively",
            preset,
            x => x.View.IsAny("chmod", "chown", "chgrp") && x.View.HasFlag('r', "recursive"));

        yield return DangerRule.ForCommand(
            "package_remove",
            "removes installed packages",
            preset,
            x => RemovesPackages(x.View));

        yield return DangerRule.ForCommand(
            "git_push",
            "pushes to a remote",
            preset,
            x => Git(x.View) is { Program: "push" });

        yield return DangerRule.ForCommand(
            "docker_remove",
            "removes containers, images, volumes or networks",
            preset,
            x => Docker(x.View) is { } docker && (docker.Program is "rm" or "rmi"
                || (docker.Program is "container" or "image" or "volume" or "network"
                    && docker.Subcommand() is { Program: "rm" or "remove" or "prune" })));

        yield return DangerRule.ForCommand(
            "kill",
            "kills processes",
            preset,
            x => x.View.IsAny("kill", "killall", "pkill"));

        yield return DangerRule.ForCommand(
            "crontab_remove",
            "deletes the user's crontab",
            preset,
            x => x.View.Is("crontab") && x.View.HasShort('r'));

        yield return DangerRule.ForCommand(
            "overwrite_system_file",
            "overwrites a file under /etc, /usr, /boot or the system's binaries and libraries",
            preset,
            x => x.Command.Redirections.Any(r => r.Overwrites && TargetPaths.IsSystemFile(r.Target))
                || (x.View.Is("tee") && !x.View.HasFlag('a', "append") && x.View.Operands().Any(TargetPaths.IsSystemFile)));

        yield return DangerRule.ForCommand(
            "sudo",
            "runs with elevated privileges",
            preset,
            x => x.View.IsAny(Escalators)
                || x.Command.Wrappers.Any(w => Escalators.Contains(CommandPrefixes.ProgramName(w))));
    }

    private static string[] Escalators => ["sudo", "doas", "pkexec", "su", "run0"];

    private static bool RemovesPackages(CommandView view)
    {
        if (view.Is("pacman"))
        {
            // pacman's operation is the first letter of the first option: -R, -Rs, -Rns.
            return view.HasLong("remove") || view.Args.Any(a => a.Length > 1 && a[0] == '-' && a[1] == 'r');
        }

        if (view.Program.StartsWith("python", StringComparison.Ordinal)
            && view.Args is ["-m", "pip" or "pip3", var pipCommand, ..])
        {
            return pipCommand == "uninstall";
        }

        var sub = view.Subcommand("-o", "-c", "-t", "--config", "--setopt")?.Program;
        return view.Program switch
        {
            "apt" or "apt-get" or "aptitude" => sub is "remove" or "purge" or "autoremove" or "autopurge",
            "yum" or "dnf" or "microdnf" or "tdnf" or "zypper" => sub is "remove" or "erase" or "autoremove" or "rm",
            "apk" => sub is "del",
            "brew" => sub is "uninstall" or "remove" or "rm" or "autoremove",
            "pip" or "pip3" or "pipx" => sub is "uninstall",
            "npm" or "pnpm" => sub is "uninstall" or "remove" or "rm" or "un" or "r" or "unlink" && view.HasFlag('g', "global"),
            "snap" => sub is "remove",
            "flatpak" => sub is "uninstall" or "remove",
            "gem" or "cargo" => sub is "uninstall",
            _ => false,
        };
    }
}
