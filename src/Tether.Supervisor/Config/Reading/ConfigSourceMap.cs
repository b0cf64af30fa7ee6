using System.Runtime.CompilerServices;

namespace Tether.Supervisor;

/// <summary>
/// Where each setting of a loaded <see cref="ServiceSet"/> was written, so that the host checks run later
/// (<see cref="ServiceSetChecks"/>) can name the file, line and column of the key they refuse. Kept beside the set
/// rather than in it: the model stays a plain value, and a set built in code simply has no positions.
/// </summary>
internal sealed class ConfigSourceMap(string file)
{
    private static readonly ConditionalWeakTable<ServiceSet, ConfigSourceMap> Maps = new();
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    /// <summary>The file's name as the user gave it.</summary>
    public string File { get; } = file;

    /// <summary>Remembers where <paramref name="path"/> (<c>web</c>, <c>web/cwd</c>, <c>web/limits/memory</c>; a slash, because service names may hold dots) was written.</summary>
    public void Record(string path, ConfigNode node) => _positions[path] = (node.Line, node.Column);

    /// <summary>Remembers a position given directly (a Procfile line).</summary>
    public void Record(string path, int line, int column) => _positions[path] = (line, column);

    /// <summary>Where <paramref name="path"/> was written; else where its service was; else (0, 0).</summary>
    public (int Line, int Column) Find(string path)
    {
        for (var key = path; ; key = key[..key.LastIndexOf('/')])
        {
            if (_positions.TryGetValue(key, out var position))
            {
                return position;
            }

            if (!key.Contains('/', StringComparison.Ordinal))
            {
                return (0, 0);
            }
        }
    }

    /// <summary>Ties this map to the set read with it.</summary>
    public void Attach(ServiceSet set) => Maps.AddOrUpdate(set, this);

    /// <summary>The map of a set read from a file, or null for a set built in code.</summary>
    public static ConfigSourceMap? Of(ServiceSet set) => Maps.TryGetValue(set, out var map) ? map : null;
}
