using System.Globalization;
using System.Text;

namespace Tether.Supervisor;

/// <summary>
/// Reads a <c>tether.yaml</c> into a <see cref="ServiceSet"/> (the format: docs/formats/tether-yaml.md). Every problem
/// in the file is found in one pass and reported together, each as <c>FILE:LINE:COLUMN: message</c>; no other
/// exception escapes, whatever the bytes. What the host can do (limits, users, programs) is checked separately by
/// <see cref="ServiceSetChecks"/>, because a file is valid or not wherever it is read.
/// </summary>
public static class ServiceSetLoader
{
    /// <summary>The file <c>tether up</c> looks for in the current directory.</summary>
    public const string DefaultFileName = "tether.yaml";

    /// <summary>The largest file read (1 MiB): a set of services needs a few kilobytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the file at <paramref name="path"/>; relative paths in it (<c>cwd</c>, <c>env_file</c>) are taken from the
    /// file's directory, which becomes <see cref="ServiceSet.ProjectDirectory"/>.
    /// </summary>
    /// <exception cref="ConfigurationException">The file is missing, unreadable, too large, not UTF-8, not YAML, or
    /// asks for something invalid; <see cref="ConfigurationException.Errors"/> lists every problem.</exception>
    public static ServiceSet Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var text = ReadText(path, fullPath);
        return LoadCore(text, path, fullPath, Path.GetDirectoryName(fullPath)!);
    }

    /// <summary>
    /// Reads <paramref name="yaml"/> as if it were the file <paramref name="fileName"/> in
    /// <paramref name="projectDirectory"/> (errors name <paramref name="fileName"/>).
    /// </summary>
    /// <exception cref="ConfigurationException">The text is too large, not YAML, or asks for something invalid.</exception>
    public static ServiceSet LoadText(string yaml, string fileName, string projectDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentException.ThrowIfNullOrEmpty(projectDirectory);
        if (yaml.Length > MaxFileBytes || Encoding.UTF8.GetByteCount(yaml) > MaxFileBytes)
        {
            throw TooLarge(fileName);
        }

        var directory = Path.GetFullPath(projectDirectory);
        return LoadCore(yaml.StartsWith('\uFEFF') ? yaml[1..] : yaml, fileName, Path.GetFullPath(fileName, directory), directory);
    }

    /// <summary>
    /// The text of the file at <paramref name="fullPath"/> (shown as <paramref name="shownPath"/>): at most
    /// <see cref="MaxFileBytes"/>, strict UTF-8, without a byte-order mark. Shared with <see cref="ProcfileReader"/>.
    /// </summary>
    internal static string ReadText(string shownPath, string fullPath)
    {
        var bytes = ReadBounded(shownPath, fullPath);
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException exception)
        {
            var (line, column) = PositionOf(bytes, exception.Index);
            throw Single(shownPath, line, column, "the file is not valid UTF-8 here; save it as UTF-8.");
        }
    }

    private static ServiceSet LoadCore(string text, string shownFile, string sourcePath, string projectDirectory)
    {
        var errors = new ConfigErrors(shownFile);
        var root = ConfigDocumentReader.Read(text, errors);
        errors.ThrowIfAny();
        if (root is null || root is ConfigScalar { IsNull: true })
        {
            throw Single(shownFile, 0, 0, "the file is empty; add 'services:' with at least one service (see docs/formats/tether-yaml.md).");
        }

        var values = new ConfigValues(errors);
        if (!values.Mapping(root, "the file", "'services: {web: {command: [python3, -m, http.server]}}'", out var top))
        {
            errors.ThrowIfAny();
        }

        var positions = new ConfigSourceMap(shownFile);
        var services = new List<ServiceDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var sawServices = false;
        foreach (var (key, keyNode, value) in values.Keys(top, "the top level", ConfigKeys.TopLevel))
        {
            if (key == "version")
            {
                values.Integer(value, "version", 1, 1, out int _);
                continue;
            }

            sawServices = true;
            if (value is ConfigScalar { IsNull: true } or ConfigMapping { Entries.Count: 0 })
            {
                errors.Add(keyNode, "services: is empty; add at least one service, such as 'web: {command: [python3, -m, http.server]}'.");
                continue;
            }

            if (!values.Mapping(value, "services", "'web: {command: [python3, -m, http.server]}'", out var entries))
            {
                continue;
            }

            var reader = new ServiceReader(values, projectDirectory, positions);
            foreach (var (nameKey, settings) in entries.Entries)
            {
                names.Add(nameKey.Value);
                if (reader.Read(nameKey, settings) is { } service)
                {
                    services.Add(service);
                }
            }
        }

        if (!sawServices)
        {
            errors.Add(top.Line, top.Column, "the file has no 'services:' key; add it with at least one service, such as 'services: {web: {command: [python3, -m, http.server]}}'.");
        }

        DependencyGraph.Check(services, names, positions, errors);
        errors.ThrowIfAny();
        var set = new ServiceSet(projectDirectory, services, sourcePath);
        positions.Attach(set);
        return set;
    }

    private static byte[] ReadBounded(string shownPath, string fullPath)
    {
        try
        {
            if (Directory.Exists(fullPath))
            {
                throw Single(shownPath, 0, 0, "is a directory; name the file inside it.");
            }

            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var buffer = new byte[MaxFileBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }

            if (length > MaxFileBytes)
            {
                throw TooLarge(shownPath);
            }

            return buffer[..length];
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Single(shownPath, 0, 0, "does not exist; create it (see docs/formats/tether-yaml.md) or name another file.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Single(shownPath, 0, 0, $"cannot be read ({exception.Message.ReplaceLineEndings(" ")}); check its permissions.");
        }
    }

    private static (int Line, int Column) PositionOf(byte[] bytes, int index)
    {
        index = Math.Clamp(index, 0, bytes.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, index - lineStart + 1);
    }

    internal static ConfigurationException TooLarge(string file) => Single(file, 0, 0, string.Create(CultureInfo.InvariantCulture,
        $"the file is larger than {MaxFileBytes / 1024 / 1024} MiB, far more than any set of services needs; check that it is the right file."));

    internal static ConfigurationException Single(string file, int line, int column, string message) =>
        new([new ConfigurationError(file, line, column, message)]);
}
