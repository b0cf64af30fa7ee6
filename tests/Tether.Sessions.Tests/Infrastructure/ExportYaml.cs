using YamlDotNet.RepresentationModel;

namespace Tether.Sessions.Tests;

/// <summary>Reads exported YAML with YamlDotNet: a parse error fails the spec, and values come back as the parser sees them.</summary>
internal static class ExportYaml
{
    /// <summary>The root mapping of <paramref name="text"/>, which must be exactly one YAML document.</summary>
    public static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var document = Assert.Single(stream.Documents);
        return Assert.IsType<YamlMappingNode>(document.RootNode);
    }

    public static YamlNode At(this YamlNode node, string key) =>
        Assert.IsType<YamlMappingNode>(node).Children.TryGetValue(new YamlScalarNode(key), out var child)
            ? child
            : throw new Xunit.Sdk.XunitException($"No key '{key}' in:\n{node}");

    public static bool Has(this YamlNode node, string key) => Assert.IsType<YamlMappingNode>(node).Children.ContainsKey(new YamlScalarNode(key));

    public static string Text(this YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value!;

    public static IReadOnlyList<YamlNode> Items(this YamlNode node) => [.. Assert.IsType<YamlSequenceNode>(node).Children];
}
