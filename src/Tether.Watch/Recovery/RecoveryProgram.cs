using Tether.Interop;

namespace Tether.Watch;

/// <summary>
/// Vets a recovery command's program when the watcher starts, the way the recovery will look it up when it runs: a
/// word with a slash is a path (a relative one from the watcher's working directory, which the recovery inherits);
/// otherwise each directory of the recovery's own <c>PATH</c> is searched in order — <see cref="RecoveryOptions.Environment"/>'s
/// <c>PATH</c> when set, else the watcher's when the environment is inherited, else <see cref="RecoveryOptions.ClearedPath"/>.
/// </summary>
/// <remarks>
/// The program must be a file the watcher's user may execute, and not world-writable (anyone could change what the
/// watcher runs; the same rule as for <see cref="RecoveryCommand.FromFile"/>). A program whose name holds
/// <see cref="RecoveryCommand.PidPlaceholder"/> names a different file for each agent and cannot be vetted ahead.
/// The check does not replace the one at run time: a program removed after start-up is reported as a failed recovery.
/// </remarks>
internal static class RecoveryProgram
{
    /// <exception cref="RecoveryProgramRefusedException">The program is missing, not a file, not executable, or world-writable.</exception>
    public static void Vet(RecoveryCommand command, RecoveryOptions options)
    {
        var program = command.Program;
        if (program.Contains(RecoveryCommand.PidPlaceholder, StringComparison.Ordinal))
        {
            return;
        }

        if (program.Contains('/', StringComparison.Ordinal))
        {
            VetFile(program, Path.GetFullPath(program));
            return;
        }

        var path = RecoveryPath(options);
        string? found = null;
        foreach (var entry in path.Split(':'))
        {
            var candidate = Path.Combine(entry.Length == 0 ? "." : entry, program);
            if (File.Exists(candidate))
            {
                found ??= candidate;
                if (Libc.Access(candidate, Libc.X_OK) == 0)
                {
                    found = candidate;
                    break;
                }
            }
        }

        if (found is null)
        {
            throw new RecoveryProgramRefusedException(program, RecoveryProgramRefusal.NotFound,
                $"was not found on the recovery's PATH ({path}); give its full path, or put its directory on the recovery's PATH");
        }

        VetFile(program, Path.GetFullPath(found));
    }

    private static string RecoveryPath(RecoveryOptions options) =>
        options.Environment.TryGetValue("PATH", out var explicitPath) ? explicitPath
        : options.InheritEnvironment ? Environment.GetEnvironmentVariable("PATH") ?? ""
        : RecoveryOptions.ClearedPath;

    private static void VetFile(string program, string full)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Recovery programs are vetted with Linux system calls; Tether.Watch runs on Linux only for now.");
        }

        if (Directory.Exists(full))
        {
            throw new RecoveryProgramRefusedException(program, RecoveryProgramRefusal.NotAFile, $"is a directory ({full}), not a program");
        }

        if (!File.Exists(full))
        {
            throw new RecoveryProgramRefusedException(program, RecoveryProgramRefusal.NotFound, $"does not exist ({full}); check the path");
        }

        if (Libc.Access(full, Libc.X_OK) != 0)
        {
            throw new RecoveryProgramRefusedException(program, RecoveryProgramRefusal.NotExecutable,
                $"is not executable by the watcher's user ({full}); run chmod +x on it, or name another program");
        }

        // Follows symbolic links: what matters is the file that will run, not the link's own mode.
        if ((File.GetUnixFileMode(full) & UnixFileMode.OtherWrite) != 0)
        {
            throw new RecoveryProgramRefusedException(program, RecoveryProgramRefusal.WorldWritable,
                $"is world-writable ({full}), so anyone could change what the watcher runs; run chmod o-w on it");
        }
    }
}
