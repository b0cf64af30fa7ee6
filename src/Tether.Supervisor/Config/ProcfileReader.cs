using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// Reads a <c>Procfile</c> (foreman, Overmind, Heroku) into a <see cref="ServiceSet"/>, so a stack that has one starts
/// with <c>tether up --procfile</c>. Each <c>name: command</c> line is a service whose command is run by
/// <c>/bin/sh -c</c>, as foreman does; blank lines and <c>#</c> comments are skipped. Like foreman, each service gets
/// <c>PORT</c> = 5000 + 100 × its position (the first 5000, the second 5100, …), and the variables of a <c>.env</c>
/// file beside the Procfile; every other setting has its tether.yaml default (docs/formats/tether-yaml.md).
/// </summary>
public static class ProcfileReader
{
    /// <summary>The file <c>tether up --procfile</c> looks for in the current directory.</summary>
    public const string DefaultFileName = "Procfile";

    /// <summary>The <c>PORT</c> of the first service; each next one gets <see cref="PortStep"/> more.</summary>
    public const int BasePort = 5000;

    /// <summary>How far apart the services' <c>PORT</c>s are.</summary>
    public const int PortStep = 100;

    /// <summary>Reads the Procfile at <paramref name="path"/>; its directory becomes the project directory.</summary>
    /// <exception cref="ConfigurationException">The file is missing, too large, not UTF-8, or has a line that is not
    /// <c>name: command</c>; every problem is listed with its line.</exception>
    public static ServiceSet Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var text = ServiceSetLoader.ReadText(path, fullPath);
        return LoadText(text, path, Path.GetDirectoryName(fullPath)!);
    }

    /// <summary>Reads Procfile text as if it were <paramref name="fileName"/> in <paramref name="projectDirectory"/>.</summary>
    /// <exception cref="ConfigurationException">See <see cref="Load"/>.</exception>
    public static ServiceSet LoadText(string text, string fileName, string projectDirectory)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        if (text.Length > ServiceSetLoader.MaxFileBytes)
        {
            throw ServiceSetLoader.TooLarge(fileName);
        }

        var directory = Path.GetFullPath(projectDirectory);
        var errors = new ConfigErrors(fileName);
        var positions = new ConfigSourceMap(fileName);
        var shared = ReadDotEnv(directory, errors);
        var services = new List<ServiceDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var lineNumber = 0;
        // Lines end at \n only (a \r before it is trimmed), so line numbers match what an editor shows.
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.AsSpan().TrimEnd();
            var content = line.TrimStart();
            if (content.IsEmpty || content[0] == '#')
            {
                continue;
            }

            var column = line.Length - content.Length + 1;
            var colon = content.IndexOf(':');
            var name = colon < 0 ? "" : content[..colon].ToString();
            var command = colon < 0 ? "" : content[(colon + 1)..].Trim().ToString();
            if (colon <= 0 || !IsProcessName(name))
            {
                errors.Add(lineNumber, column, colon <= 0
                    ? "this line is not 'name: command'; write one process per line, such as 'web: python3 -m http.server $PORT' (or start it with # for a comment)."
                    : $"'{ConfigScalar.Shorten(name)}' is not a process name; use letters, digits, '-' and '_'.");
                continue;
            }

            if (command.Length == 0)
            {
                errors.Add(lineNumber, column, $"process '{name}' has no command; write it after the colon.");
                continue;
            }

            if (!names.Add(name))
            {
                errors.Add(lineNumber, column, $"process '{name}' is defined twice; keep one line for it.");
                continue;
            }

            positions.Record(name, lineNumber, column);
            positions.Record(name + "/shell", lineNumber, column + colon + 1);
            var environment = new Dictionary<string, string>(shared, StringComparer.Ordinal)
            {
                ["PORT"] = (BasePort + (PortStep * services.Count)).ToString(CultureInfo.InvariantCulture),
            };
            services.Add(new ServiceDefinition { Name = name, Command = new ServiceCommand.Shell(command), Environment = environment });
        }

        if (services.Count == 0 && !errors.Any)
        {
            errors.Add(0, 0, "the Procfile names no process; add lines such as 'web: python3 -m http.server $PORT'.");
        }

        errors.ThrowIfAny();
        var set = new ServiceSet(directory, services, Path.GetFullPath(fileName, directory));
        positions.Attach(set);
        return set;
    }

    private static Dictionary<string, string> ReadDotEnv(string directory, ConfigErrors errors)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = Path.Combine(directory, ".env");
        if (File.Exists(path))
        {
            foreach (var problem in EnvFile.Read(path, ".env", variables))
            {
                errors.Add(0, 0, problem);
            }
        }

        return variables;
    }

    private static bool IsProcessName(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return name.Length is > 0 and <= ServiceReader.MaxNameLength;
    }
}
