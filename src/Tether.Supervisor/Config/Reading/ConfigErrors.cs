using System.Globalization;

namespace Tether.Supervisor;

/// <summary>
/// The errors found in one file, collected so that a user sees all of them at once. Bounded: past
/// <see cref="Capacity"/> errors, the rest are only counted and summed up in one last line.
/// </summary>
internal sealed class ConfigErrors
{
    /// <summary>The most errors reported one by one.</summary>
    public const int Capacity = 100;

    private readonly List<ConfigurationError> _errors = [];
    private int _dropped;

    public ConfigErrors(string file)
    {
        File = file;
    }

    /// <summary>The file's name as the user gave it.</summary>
    public string File { get; }

    public bool Any => _errors.Count > 0;

    public int Count => _errors.Count + _dropped;

    /// <summary>True once further errors are only counted, so a caller can skip the work of wording them.</summary>
    public bool IsFull => _errors.Count >= Capacity;

    /// <summary>Adds an error about <paramref name="node"/>'s position.</summary>
    public void Add(ConfigNode node, string message) => Add(node.Line, node.Column, message);

    /// <summary>Adds an error at a line and column (0 for the whole file).</summary>
    public void Add(int line, int column, string message)
    {
        if (_errors.Count >= Capacity)
        {
            _dropped++;
            return;
        }

        // A message may quote what the file says (a command, a URL); errors are shown and may be journaled (a failed
        // reload), so anything that looks like a secret is masked the one way Tether masks secrets.
        _errors.Add(new ConfigurationError(File, line, column, RedactionPolicy.Default.Redact(message)));
    }

    /// <summary>Every error in file order (then the count of those left out).</summary>
    public IReadOnlyList<ConfigurationError> ToList()
    {
        var sorted = _errors.OrderBy(error => error.Line).ThenBy(error => error.Column).ToList();
        if (_dropped > 0)
        {
            sorted.Add(new ConfigurationError(File, 0, 0, string.Create(CultureInfo.InvariantCulture,
                $"{_dropped} more errors not shown: fix the ones above and check again.")));
        }

        return sorted;
    }

    /// <summary>Throws <see cref="ConfigurationException"/> when any error was found.</summary>
    public void ThrowIfAny()
    {
        if (Any)
        {
            throw new ConfigurationException(ToList());
        }
    }
}
