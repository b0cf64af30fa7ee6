namespace Tether.Sessions;

// The Minimal preset: irreversible loss of a system or its data.
public sealed partial class DangerRules
{
    // Methods, not fields: the presets are built while the type initialises, and the order in which partial files'
    // field initialisers run is unspecified.
    private static IEnumerable<DangerRule> MinimalRules()
    {
        const DangerPreset preset = DangerPreset.Minimal;

        yield return DangerRule.ForLine(
            "unparsed_line",
            "the line does not parse completely, so it cannot be checked; review it before it runs",
            preset,
            line => line.IsComplete ? null : line.Problems[0]);

        yield return DangerRule.ForCommand(
            "rm_recursive_root",
            "deletes recursively the file system root, a system directory, a home directory or everything here",
            preset,
            x => x.View.Is("rm") && x.View.HasFlag('r', "recursive")
                && (x.View.HasLong("no-preserve-root") || x.View.Operands().Any(p => TargetPaths.IsSystemRoot(p) || TargetPaths.IsHomeOrHere(p))));

        yield return DangerRule.ForCommand(
            "recursive_permissions_root",
            "changes recursively the permissions or owner of the file system root or a system directory",
            preset,
            x => x.View.IsAny("chmod", "chown", "chgrp") && x.View.HasFlag('r', "recursive")
                && (x.View.HasLong("no-preserve-root") || x.View.Operands().Any(TargetPaths.IsSystemRoot)));

        yield return DangerRule.ForCommand(
            "mkfs",
            "creates a file system, erasing what the device held",
            preset,
            x => x.View.IsAny("mkfs", "mke2fs", "mkswap", "mkdosfs", "mkntfs")
                || x.View.Program.StartsWith("mkfs.", StringComparison.Ordinal));

        yield return DangerRule.ForCommand(
            "dd_to_device",
            "writes raw bytes over a device",
            preset,
            x => x.View.Is("dd") && x.View.Args.Any(a => a.StartsWith("of=", StringComparison.Ordinal) && TargetPaths.IsDataDevice(a[3..])));

        yield return DangerRule.ForCommand(
            "write_to_device",
            "writes over a disk device",
            preset,
            x => x.Command.Redirections.Any(r => r.Writes && TargetPaths.IsDataDevice(r.Target))
                || (x.View.Is("tee") && x.View.Operands().Any(TargetPaths.IsDataDevice)));

        yield return DangerRule.ForCommand(
            "shred",
            "overwrites files so that they cannot be recovered",
            preset,
            x => x.View.Is("shred"));

        yield return DangerRule.ForCommand(
            "wipefs",
            "erases file system signatures from a device",
            preset,
            x => x.View.Is("wipefs") && (x.View.HasFlag('a', "all") || x.View.HasFlag('o', "offset")) && !x.View.HasFlag('n', "no-act"));

        yield return DangerRule.ForCommand(
            "partition_table",
            "changes a disk's partition table",
            preset,
            x => x.View.IsAny("fdisk", "sfdisk", "cfdisk", "gdisk", "sgdisk", "cgdisk", "parted")
                && !(x.View.IsAny("fdisk", "sfdisk", "gdisk", "parted") && x.View.HasFlag('l', "list")));

        yield return DangerRule.ForCommand(
            "fork_bomb",
            "a fork bomb: a function piped into itself until the machine runs out of processes",
            preset,
            x => x.Command.Stage > 0 && x.View.Program.Length > 0 && x.DefinesFunction(x.View.Program) && x.UpstreamIsAny(x.View.Program));
    }
}
