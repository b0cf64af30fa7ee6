using System.Text;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>
/// Finds the file a command's program names, the way <c>execvp</c> would, but before spawning, so that a missing or
/// unusable program is a clear, typed error: a name with a slash is a path (a relative one is taken from the command's
/// working directory when it has one, as the program would see it after <c>chdir</c>, else from the current
/// directory); otherwise each directory of <c>PATH</c> (the child's, else this process's) is tried in order.
/// </summary>
internal static unsafe class ProgramResolver
{
    private const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    public static string Resolve(string program, string? pathVariable, string? workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = workingDirectory is null ? Path.GetFullPath(program) : Path.GetFullPath(program, Path.GetFullPath(workingDirectory));
            if (Directory.Exists(full))
            {
                throw new SpawnFailedException(program, Libc.EACCES, $"'{full}' is a directory, not a program");
            }

            if (!File.Exists(full))
            {
                throw new ProgramNotFoundException(program, [full]);
            }

            if (!IsExecutable(full))
            {
                throw new SpawnFailedException(program, Libc.EACCES, $"permission denied: '{full}' is not executable (chmod +x it?)");
            }

            return full;
        }

        var searched = new List<string>();
        string? notExecutable = null;
        foreach (var entry in (pathVariable ?? DefaultPath).Split(':'))
        {
            var directory = entry.Length == 0 ? "." : entry;
            if (searched.Contains(directory))
            {
                continue;
            }

            searched.Add(directory);
            var candidate = Path.Combine(directory, program);
            if (!File.Exists(candidate))
            {
                continue;
            }

            if (IsExecutable(candidate))
            {
                return Path.GetFullPath(candidate);
            }

            notExecutable ??= candidate;
        }

        if (notExecutable is not null)
        {
            throw new SpawnFailedException(program, Libc.EACCES, $"permission denied: '{notExecutable}' is not executable");
        }

        throw new ProgramNotFoundException(program, searched);
    }

    private static bool IsExecutable(string path)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return Libc.access(p, Libc.X_OK) == 0;
        }
    }
}
