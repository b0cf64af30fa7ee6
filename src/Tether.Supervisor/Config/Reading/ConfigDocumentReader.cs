using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tether.Supervisor;

/// <summary>
/// Turns YAML text into <see cref="ConfigNode"/>s from the parser's events. It refuses what a configuration never
/// needs and an attacker could use: more than one document, keys that are not scalars, duplicate keys, nesting deeper
/// than <see cref="MaxDepth"/>, and aliases that would expand past <see cref="MaxExpandedNodes"/> nodes (the
/// "billion laughs" document: a few lines of anchors that stand for billions of values).
/// </summary>
internal static partial class ConfigDocumentReader
{
    /// <summary>The deepest nesting accepted; a tether.yaml needs five levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most nodes the document may stand for with its aliases expanded.</summary>
    public const long MaxExpandedNodes = 1_000_000;

    /// <summary>Reads the one document in <paramref name="text"/>; null (with the error added) when it is not valid YAML.</summary>
    public static ConfigNode? Read(string text, ConfigErrors errors)
    {
        var builder = new Builder(errors);
        var lastGood = Mark.Empty;
        try
        {
            var parser = new Parser(new StringReader(text));
            while (parser.MoveNext())
            {
                if (!builder.Accept(parser.Current!))
                {
                    return null;
                }

                lastGood = parser.Current!.End;
            }
        }
        catch (YamlException exception)
        {
            errors.Add(Position(exception.Start.Line), Position(exception.Start.Column), "invalid YAML: " + Describe(exception) + "; fix the syntax there.");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this (rather than a YamlException) on some malformed flow collections; all
            // that is known is that the text after the last value it read is not YAML.
            errors.Add(Position(lastGood.Line), Position(lastGood.Column), "invalid YAML after this point (an unclosed '{' or '[', or a stray character?); fix the syntax here.");
            return null;
        }

        return builder.Root;
    }

    private static int Position(long value) => value is > 0 and <= int.MaxValue ? (int)value : 1;

    private static string Describe(YamlException exception)
    {
        // The parser's message starts with its own "(Line: 3, Col: 5, Idx: 20) - (Line: …): " prefix; the position is
        // already in front of every error, so only the words are kept, on one line.
        var message = MarksPrefix().Replace(exception.Message, "").ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return message.Length == 0 ? "the parser gave up here" : char.ToLowerInvariant(message[0]) + message[1..];
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*")]
    private static partial Regex MarksPrefix();

    private sealed class Builder(ConfigErrors errors)
    {
        private readonly Stack<Frame> _open = new();
        private readonly Dictionary<string, ConfigNode> _anchors = new(StringComparer.Ordinal);
        private int _documents;

        public ConfigNode? Root { get; private set; }

        /// <summary>Takes one event; false when the document cannot be read further (the error is added).</summary>
        public bool Accept(ParsingEvent parsingEvent)
        {
            switch (parsingEvent)
            {
                case DocumentStart when ++_documents > 1:
                    return Fail(parsingEvent, "the file holds more than one YAML document (a second '---'); keep one document per file.");
                case Scalar scalar:
                    var node = new ConfigScalar(scalar.Value, scalar.Style == ScalarStyle.Plain, Line(scalar), Column(scalar));
                    Anchor(scalar, node);
                    return Place(node, parsingEvent);
                case AnchorAlias alias:
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        return Fail(parsingEvent, $"the alias *{ConfigScalar.Shorten(alias.Value.Value)} names no anchor defined before it (nor one that is still open); define '&{ConfigScalar.Shorten(alias.Value.Value)}' on a complete value above.");
                    }

                    return Place(target, parsingEvent);
                case MappingStart mapping:
                    return Open(new ConfigMapping(Line(mapping), Column(mapping)), mapping);
                case SequenceStart sequence:
                    return Open(new ConfigSequence(Line(sequence), Column(sequence)), sequence);
                case MappingEnd or SequenceEnd:
                    var frame = _open.Pop();
                    if (frame.Node is ConfigMapping && frame.PendingKey is not null)
                    {
                        return Fail(parsingEvent, "a key has no value; give it one.");
                    }

                    Anchor(frame.Event, frame.Node);
                    return Place(frame.Node, parsingEvent);
                default:
                    return true;
            }
        }

        private bool Open(ConfigNode node, NodeEvent start)
        {
            if (_open.Count >= MaxDepth)
            {
                return Fail(start, string.Create(CultureInfo.InvariantCulture, $"values are nested more than {MaxDepth} levels deep; a tether.yaml needs only a few."));
            }

            _open.Push(new Frame(node, start));
            return true;
        }

        private void Anchor(NodeEvent start, ConfigNode node)
        {
            // An anchor is registered once its value is complete, so an alias inside its own value is refused
            // (a recursive document has no finite meaning).
            if (!start.Anchor.IsEmpty)
            {
                _anchors[start.Anchor.Value] = node;
            }
        }

        private bool Place(ConfigNode node, ParsingEvent at)
        {
            if (_open.Count == 0)
            {
                Root = node;
                return Bounded(at);
            }

            var parent = _open.Peek();
            switch (parent.Node)
            {
                case ConfigSequence sequence:
                    sequence.Add(node);
                    break;
                case ConfigMapping mapping when parent.PendingKey is null:
                    if (node is not ConfigScalar key)
                    {
                        return Fail(at, $"a key must be a name, not {node.Describe()}; write 'name: value'.");
                    }

                    var earlier = mapping.FindKey(key.Value);
                    if (earlier is not null)
                    {
                        errors.Add(key, string.Create(CultureInfo.InvariantCulture,
                            $"duplicate key '{ConfigScalar.Shorten(key.Value)}' (first at line {earlier.Line}); keep one of them."));
                    }

                    parent.PendingKey = key;
                    return true;
                case ConfigMapping mapping:
                    // A duplicate key was reported above; its value is dropped so that later checks see the first one.
                    if (mapping.FindKey(parent.PendingKey!.Value) is null)
                    {
                        mapping.Add(parent.PendingKey, node);
                    }

                    parent.PendingKey = null;
                    break;
            }

            return Bounded(at);
        }

        private bool Bounded(ParsingEvent at)
        {
            var total = Root?.ExpandedSize ?? 0;
            foreach (var frame in _open)
            {
                total += frame.Node.ExpandedSize;
            }

            return total <= MaxExpandedNodes || Fail(at, string.Create(CultureInfo.InvariantCulture,
                $"the document stands for more than {MaxExpandedNodes} values once its aliases are expanded; use fewer aliases (a tether.yaml needs few)."));
        }

        private bool Fail(ParsingEvent at, string message)
        {
            errors.Add(Line(at), Column(at), message);
            return false;
        }

        private static int Line(ParsingEvent parsingEvent) => Position(parsingEvent.Start.Line);

        private static int Column(ParsingEvent parsingEvent) => Position(parsingEvent.Start.Column);
    }

    private sealed class Frame(ConfigNode node, NodeEvent start)
    {
        public ConfigNode Node { get; } = node;

        public NodeEvent Event { get; } = start;

        public ConfigScalar? PendingKey { get; set; }
    }
}
