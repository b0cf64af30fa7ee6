using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// Checks a valid <see cref="ServiceSet"/> against this host before anything starts (<c>tether up --check</c>, and
/// <c>tether up</c> itself): a limit the host cannot enforce, <c>user:</c> without root, a program that is not there,
/// a working directory that does not exist. Each error names the file, line and column of the key when the set was
/// loaded from a file.
/// </summary>
public static class ServiceSetChecks
{
    /// <summary>Every problem this host has with <paramref name="set"/>, in file order; empty when it can run as asked.</summary>
    public static IReadOnlyList<ConfigurationError> Check(ServiceSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Check(set, HostCapabilities.Current());
    }

    /// <summary>Throws <see cref="ConfigurationException"/> with every problem when <see cref="Check(ServiceSet)"/> finds any.</summary>
    public static void ThrowIfUnrunnable(ServiceSet set)
    {
        var errors = Check(set);
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }
    }

    internal static IReadOnlyList<ConfigurationError> Check(ServiceSet set, HostCapabilities host)
    {
        var map = ConfigSourceMap.Of(set);
        var errors = new ConfigErrors(map?.File ?? set.SourcePath ?? ServiceSetLoader.DefaultFileName);
        foreach (var service in set.Services)
        {
            var where = $"service '{service.Name}'";
            var cwd = service.WorkingDirectory ?? set.ProjectDirectory;
            var cwdExists = Directory.Exists(cwd);
            if (!cwdExists)
            {
                Add($"{service.Name}/cwd", $"{where}: cwd '{cwd}' does not exist; create it or correct the path.");
            }

            service.Environment.TryGetValue("PATH", out var path);
            if (cwdExists)
            {
                var program = service.Command.ToArguments()[0];
                if (host.FindProgram(program, path, cwd) is { } missing)
                {
                    Add($"{service.Name}/{(service.Command is ServiceCommand.Shell ? "shell" : "command")}", $"{where}: {missing}");
                }

                CheckProbe("ready", service.Ready);
                CheckProbe("live", service.Live);
            }

            if (service.User is not null && !host.IsRoot)
            {
                Add($"{service.Name}/user", $"{where}: user: '{service.User}' needs tether to run as root, and it does not; run tether as root (or in a container) or remove user:.");
            }

            CheckLimit("memory", TreeLimit.Memory, service.Limits.MemoryBytes is not null);
            CheckLimit("cpu", TreeLimit.Cpu, service.Limits.Cpus is not null);
            CheckLimit("pids", TreeLimit.Processes, service.Limits.Pids is not null);

            void CheckProbe(string role, ProbeDefinition? probe)
            {
                if (probe is { Kind: ProbeKind.Exec, Command: [var probeProgram, ..] } && host.FindProgram(probeProgram, path, cwd) is { } probeMissing)
                {
                    Add($"{service.Name}/{role}/exec", $"{where}: {role}.exec: {probeMissing}");
                }
            }

            void CheckLimit(string key, TreeLimit limit, bool asked)
            {
                if (!asked)
                {
                    return;
                }

                var support = host.Limits.FirstOrDefault(entry => entry.Limit == limit);
                if (support is not { Enforceable: true })
                {
                    var reason = support?.UnavailableReason ?? "this host reports no way to enforce it";
                    Add($"{service.Name}/limits/{key}", string.Create(CultureInfo.InvariantCulture,
                        $"{where}: limits.{key} cannot be enforced on this host ({reason.TrimEnd('.')}); remove it, or run tether where cgroup v2 delegates that controller."));
                }
            }
        }

        return errors.ToList();

        void Add(string path, string message)
        {
            var (line, column) = map?.Find(path) ?? (0, 0);
            errors.Add(line, column, message);
        }
    }
}
