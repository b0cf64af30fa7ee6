using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// Reads one entry of <c>services:</c> into a <see cref="ServiceDefinition"/>, adding an error for every problem and
/// keeping the documented default for a setting it could not read, so that one pass finds them all. Where each key was
/// written goes into the <see cref="ConfigSourceMap"/>.
/// </summary>
internal sealed partial class ServiceReader(ConfigValues values, string projectDirectory, ConfigSourceMap positions)
{
    /// <summary>The longest service name (it becomes a file name and a cgroup name).</summary>
    public const int MaxNameLength = 63;

    private ConfigErrors Errors => values.Errors;

    /// <summary>True for a name of letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, starting with a letter or digit.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length is 0 or > MaxNameLength || !char.IsAsciiLetterOrDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The service <paramref name="nameKey"/> names, or null when it has no usable command.</summary>
    public ServiceDefinition? Read(ConfigScalar nameKey, ConfigNode node)
    {
        var name = nameKey.Value;
        var where = $"service '{ConfigScalar.Shorten(name)}'";
        positions.Record(name, nameKey);
        if (!IsValidName(name))
        {
            Errors.Add(nameKey, string.Create(CultureInfo.InvariantCulture,
                $"'{ConfigScalar.Shorten(name)}' is not a valid service name; use letters, digits, '-', '_' and '.', starting with a letter or digit, at most {MaxNameLength} characters."));
        }

        if (!values.Mapping(node, where, "'command: [program, arg]'", out var settings))
        {
            return null;
        }

        // The command is read along with the other keys and set last; until then the definition holds a placeholder
        // that is never returned (a service without a usable command is not returned at all).
        var service = new ServiceDefinition { Name = name, Command = new ServiceCommand.Exec(["?"]) };
        ServiceCommand? command = null;
        ConfigScalar? commandKey = null;
        var fromFiles = new Dictionary<string, string>(StringComparer.Ordinal);
        var inline = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, keyNode, value) in values.Keys(settings, where, ConfigKeys.Service))
        {
            positions.Record(name + "/" + key, keyNode);
            var what = $"{where}: {key}";
            switch (key)
            {
                case "command" or "shell":
                    if (commandKey is not null)
                    {
                        Errors.Add(keyNode, $"{where} has both {commandKey.Value}: and {key}:; keep one (command: runs a program without a shell, shell: runs a script with /bin/sh -c).");
                        break;
                    }

                    commandKey = keyNode;
                    command = key == "command" ? ReadCommand(value, what) : ReadShell(value, what);
                    break;
                case "cwd":
                    if (values.Text(value, what, out var cwd))
                    {
                        service = service with { WorkingDirectory = Path.GetFullPath(cwd, projectDirectory) };
                    }

                    break;
                case "env":
                    ReadEnvironment(value, what, inline);
                    break;
                case "env_file":
                    ReadEnvironmentFiles(value, what, fromFiles);
                    break;
                case "user":
                    if (values.Text(value, what, out var user))
                    {
                        service = service with { User = user };
                    }

                    break;
                case "depends_on":
                    service = service with { DependsOn = ReadDependencies(name, value, what) };
                    break;
                case "ready":
                    service = service with { Ready = ReadProbe(name, "ready", value, what) };
                    break;
                case "live":
                    service = service with { Live = ReadProbe(name, "live", value, what) };
                    break;
                case "replicas":
                    if (values.Integer(value, what, 1, 1000, out int replicas))
                    {
                        service = service with { Replicas = replicas };
                    }

                    break;
                default:
                    service = ReadPolicy(service, name, key, value, what);
                    break;
            }
        }

        if (command is null)
        {
            if (commandKey is null)
            {
                Errors.Add(nameKey, $"{where} has no command; add 'command: [program, arg]' (no shell) or 'shell: \"script\"' (run by /bin/sh -c).");
            }

            return null;
        }

        foreach (var (key, value) in inline)
        {
            fromFiles[key] = value;
        }

        return service with { Command = command, Environment = fromFiles };
    }

    private ServiceCommand? ReadCommand(ConfigNode node, string what)
    {
        if (node is ConfigScalar { IsNull: false } line)
        {
            if (ShellWords.TrySplit(line.Value, out var words, out var syntax))
            {
                return new ServiceCommand.Exec(words);
            }

            Errors.Add(node, $"{what} '{ConfigScalar.Shorten(line.Value)}' needs a shell ({syntax}); write it as 'shell: \"…\"' to run it with /bin/sh -c, or as a list [program, arg] to run it without one.");
            return null;
        }

        var arguments = ReadArguments(node, what);
        return arguments is null ? null : new ServiceCommand.Exec(arguments);
    }

    /// <summary>A list of program and arguments: text items, the first one not empty.</summary>
    private List<string>? ReadArguments(ConfigNode node, string what)
    {
        if (node is not ConfigSequence { Items.Count: > 0 } list)
        {
            Errors.Add(node, $"{what} must be a list [program, arg] or a one-line string without shell syntax; got {(node is ConfigSequence ? "an empty list" : node.Describe())}.");
            return null;
        }

        var arguments = new List<string>(list.Items.Count);
        var ok = true;
        foreach (var item in list.Items)
        {
            if (values.Text(item, what + " item", out var argument))
            {
                arguments.Add(argument);
            }
            else
            {
                ok = false;
            }
        }

        if (ok && arguments[0].Length == 0)
        {
            Errors.Add(list.Items[0], $"{what} starts with an empty program name; put the program first.");
            return null;
        }

        return ok ? arguments : null;
    }

    private ServiceCommand.Shell? ReadShell(ConfigNode node, string what)
    {
        if (!values.Text(node, what, out var script))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(script))
        {
            Errors.Add(node, $"{what} is empty; give the script to run.");
            return null;
        }

        return new ServiceCommand.Shell(script);
    }

    private void ReadEnvironment(ConfigNode node, string what, Dictionary<string, string> into)
    {
        // Values are never shown in a message: they may be secrets.
        switch (node)
        {
            case ConfigMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    if (!EnvFile.IsName(key.Value))
                    {
                        Errors.Add(key, $"{what}: '{ConfigScalar.Shorten(key.Value)}' is not a variable name; use letters, digits and _, not starting with a digit.");
                    }
                    else if (value is ConfigScalar { IsNull: false } scalar)
                    {
                        into[key.Value] = scalar.Value;
                    }
                    else
                    {
                        Errors.Add(value, $"{what}: {key.Value} must have a text value (write \"\" for an empty one).");
                    }
                }

                break;
            case ConfigSequence list:
                foreach (var item in list.Items)
                {
                    var text = item is ConfigScalar { IsNull: false } scalar ? scalar.Value : null;
                    var equals = text?.IndexOf('=', StringComparison.Ordinal) ?? -1;
                    if (text is null || equals <= 0 || !EnvFile.IsName(text[..equals]))
                    {
                        Errors.Add(item, $"{what}: each item must be KEY=VALUE with KEY made of letters, digits and _; write it that way or use a mapping KEY: VALUE.");
                        continue;
                    }

                    into[text[..equals]] = text[(equals + 1)..];
                }

                break;
            default:
                Errors.Add(node, $"{what} must be a mapping KEY: VALUE or a list of KEY=VALUE; got {(node is ConfigScalar { IsNull: true } ? "nothing (null)" : "text")}.");
                break;
        }
    }

    private void ReadEnvironmentFiles(ConfigNode node, string what, Dictionary<string, string> into)
    {
        IReadOnlyList<ConfigNode> files = node is ConfigSequence list ? list.Items : [node];
        foreach (var file in files)
        {
            if (!values.Text(file, what, out var path))
            {
                continue;
            }

            foreach (var problem in EnvFile.Read(Path.GetFullPath(path, projectDirectory), path, into))
            {
                Errors.Add(file, $"{what}: {problem}");
            }
        }
    }

    private List<Dependency> ReadDependencies(string service, ConfigNode node, string what)
    {
        var dependencies = new List<Dependency>();
        var named = new HashSet<string>(StringComparer.Ordinal);
        switch (node)
        {
            case ConfigSequence list:
                foreach (var item in list.Items)
                {
                    if (values.Text(item, what + " item", out var name))
                    {
                        Add(name, item, DependencyCondition.Started);
                    }
                }

                break;
            case ConfigMapping mapping:
                foreach (var (key, value) in mapping.Entries)
                {
                    var condition = DependencyCondition.Started;
                    if (value is ConfigScalar { IsNull: true })
                    {
                        Add(key.Value, key, condition);
                        continue;
                    }

                    if (!values.Mapping(value, $"{what}: {ConfigScalar.Shorten(key.Value)}", "'{condition: ready}'", out var settings))
                    {
                        continue;
                    }

                    foreach (var (_, _, conditionNode) in values.Keys(settings, $"{what}: {ConfigScalar.Shorten(key.Value)}", ConfigKeys.Dependency))
                    {
                        condition = ReadCondition(conditionNode, $"{what}: {ConfigScalar.Shorten(key.Value)}: condition", condition);
                    }

                    Add(key.Value, key, condition);
                }

                break;
            default:
                Errors.Add(node, $"{what} must be a list of service names or a mapping NAME: {{condition: started | ready | completed_successfully}}; got {node.Describe()}.");
                break;
        }

        return dependencies;

        void Add(string name, ConfigNode at, DependencyCondition condition)
        {
            if (!named.Add(name))
            {
                Errors.Add(at, $"{what} names '{ConfigScalar.Shorten(name)}' twice; keep one.");
                return;
            }

            positions.Record($"{service}/depends_on/{name}", at);
            dependencies.Add(new Dependency(name, condition));
        }
    }

    private DependencyCondition ReadCondition(ConfigNode node, string what, DependencyCondition fallback)
    {
        // Compose spells these service_started, service_healthy and service_completed_successfully.
        if (node is ConfigScalar { Value: "service_healthy" or "healthy" })
        {
            Errors.Add(node, $"{what}: use 'ready' (the dependency's ready: probe passed) for what compose calls service_healthy.");
            return fallback;
        }

        if (node is ConfigScalar { Value: "service_started" or "service_completed_successfully" } compose)
        {
            Errors.Add(node, $"{what}: write '{compose.Value["service_".Length..]}' (without 'service_').");
            return fallback;
        }

        if (!values.Choice(node, what, ["started", "ready", "completed_successfully"], out var condition))
        {
            return fallback;
        }

        return condition switch
        {
            "ready" => DependencyCondition.Ready,
            "completed_successfully" => DependencyCondition.CompletedSuccessfully,
            _ => DependencyCondition.Started,
        };
    }
}
