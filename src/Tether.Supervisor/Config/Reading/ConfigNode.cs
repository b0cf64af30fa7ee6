namespace Tether.Supervisor;

/// <summary>
/// One node of a parsed configuration document, with where it starts. The loader builds these itself from the YAML
/// parser's events (rather than through a deserializer) so that every value keeps its line and column, duplicate keys
/// and alias expansion are bounded, and nothing depends on reflection.
/// </summary>
internal abstract class ConfigNode
{
    private protected ConfigNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>The line the node starts on, from 1.</summary>
    public int Line { get; }

    /// <summary>The column the node starts at, from 1.</summary>
    public int Column { get; }

    /// <summary>How many nodes this one stands for once every alias inside it is expanded (itself included).</summary>
    public long ExpandedSize { get; protected set; } = 1;

    /// <summary>What kind of value this is, in the words an error message uses.</summary>
    public abstract string Describe();
}

/// <summary>A scalar: text, a number, a boolean or null, as written.</summary>
internal sealed class ConfigScalar : ConfigNode
{
    public ConfigScalar(string value, bool isPlain, int line, int column)
        : base(line, column)
    {
        Value = value;
        IsPlain = isPlain;
    }

    /// <summary>The text as written (without quotes).</summary>
    public string Value { get; }

    /// <summary>True when it was written without quotes, so <c>null</c>, <c>~</c> and nothing mean null.</summary>
    public bool IsPlain { get; }

    /// <summary>True for a plain <c>null</c>, <c>~</c> or empty value.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "nothing (null)" : "'" + Shorten(Value) + "'";

    /// <summary>The value cut to a length an error line can show.</summary>
    public static string Shorten(string value) => value.Length <= 40 ? value.ReplaceLineEndings(" ") : value[..37].ReplaceLineEndings(" ") + "…";
}

/// <summary>A mapping: keys (always scalars) and their values, in file order, keys unique.</summary>
internal sealed class ConfigMapping : ConfigNode
{
    private readonly List<KeyValuePair<ConfigScalar, ConfigNode>> _entries = [];
    private readonly Dictionary<string, ConfigScalar> _keys = new(StringComparer.Ordinal);

    public ConfigMapping(int line, int column)
        : base(line, column)
    {
    }

    public IReadOnlyList<KeyValuePair<ConfigScalar, ConfigNode>> Entries => _entries;

    /// <summary>The entry whose key is <paramref name="key"/>, or null.</summary>
    public ConfigScalar? FindKey(string key) => _keys.GetValueOrDefault(key);

    /// <summary>Adds an entry whose key is not there yet (the reader reports a duplicate instead of adding it).</summary>
    public void Add(ConfigScalar key, ConfigNode value)
    {
        _keys.Add(key.Value, key);
        _entries.Add(new(key, value));
        ExpandedSize += key.ExpandedSize + value.ExpandedSize;
    }

    public override string Describe() => "a mapping";
}

/// <summary>A sequence (a YAML list).</summary>
internal sealed class ConfigSequence : ConfigNode
{
    private readonly List<ConfigNode> _items = [];

    public ConfigSequence(int line, int column)
        : base(line, column)
    {
    }

    public IReadOnlyList<ConfigNode> Items => _items;

    public void Add(ConfigNode item)
    {
        _items.Add(item);
        ExpandedSize += item.ExpandedSize;
    }

    public override string Describe() => "a list";
}
