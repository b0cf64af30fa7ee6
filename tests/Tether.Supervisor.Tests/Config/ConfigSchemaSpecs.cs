using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Tether.Supervisor.Tests.Config;

/// <summary>
/// The page (docs/formats/tether-yaml.md), the JSON Schema editors use (docs/formats/tether-yaml.schema.json) and the
/// loader describe one format: the same keys, documented, with examples that load and that the schema accepts.
/// </summary>
public sealed partial class ConfigSchemaSpecs : IDisposable
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string PagePath = Path.Combine(Root, "docs", "formats", "tether-yaml.md");
    private static readonly string SchemaPath = Path.Combine(Root, "docs", "formats", "tether-yaml.schema.json");

    private readonly TempProject _project = new();

    public void Dispose() => _project.Dispose();

    [Fact]
    public void The_keys_the_loader_accepts_are_exactly_the_keys_the_schema_declares()
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
        var declared = new SortedSet<string>(StringComparer.Ordinal);
        Collect(schema, schema, "", declared, depth: 0);

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal(ConfigKeys.Paths().ToList(), declared.ToList());
    }

    [Fact]
    public void Every_key_the_loader_accepts_is_documented()
    {
        var page = File.ReadAllText(PagePath);

        foreach (var path in ConfigKeys.Paths())
        {
            var key = path[(path.LastIndexOf('.') + 1)..];
            Assert.True(Regex.IsMatch(page, $"`([a-z_]+\\.)?{Regex.Escape(key)}[`:]"), $"docs/formats/tether-yaml.md does not document `{key}` ({path})");
        }
    }

    [Fact]
    public void Every_example_on_the_page_loads_and_the_schema_accepts_it()
    {
        var schema = JsonSchema.FromText(File.ReadAllText(SchemaPath));
        _project.Write(".env", "A=1\n");
        var examples = YamlBlocks().Matches(File.ReadAllText(PagePath)).Select(match => match.Groups[1].Value).ToList();

        Assert.True(examples.Count >= 5, "the page has its examples");
        foreach (var example in examples)
        {
            var set = _project.Load(example);
            Assert.NotEmpty(set.Services);
            var result = schema.Evaluate(ToJson(example), new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"the schema refuses this example of the page:\n{example}\n{Describe(result)}");
        }
    }

    [Theory]
    [InlineData("services:\n  web: {comand: [x]}\n")]
    [InlineData("services:\n  web: {command: [x], restart: sometimes}\n")]
    [InlineData("services:\n  web: {command: [x], replicas: 0}\n")]
    [InlineData("services:\n  web: {env: {A: b}}\n")]
    [InlineData("services:\n  web: {command: [x], shell: y}\n")]
    [InlineData("services:\n  web: {command: [], ready: {tcp: 80}}\n")]
    [InlineData("services:\n  web: {command: [x], ready: {period: 1s}}\n")]
    [InlineData("services:\n  web: {command: [x], ready: {tcp: 80, http: 'http://x'}}\n")]
    [InlineData("services:\n  web: {command: [x], ready: {heartbeat: false}}\n")]
    [InlineData("services:\n  web: {command: [x], stop: {grace: soon}}\n")]
    [InlineData("services:\n  web: {command: [x], limits: {memory: lots}}\n")]
    [InlineData("services:\n  web: {command: [x], depends_on: {db: {condition: healthy}}}\n  db: {command: [x]}\n")]
    [InlineData("services:\n  web: {command: [x], backoff: {jitter: 2}}\n")]
    [InlineData("services:\n  web: {command: [x], ok_exit_codes: [256]}\n")]
    [InlineData("services:\n  -web: {command: [x]}\n")]
    [InlineData("services: {}\n")]
    [InlineData("version: 2\nservices:\n  web: {command: [x]}\n")]
    [InlineData("services:\n  web: {command: [x]}\nextra: 1\n")]
    public void A_file_the_loader_refuses_for_a_key_or_value_the_schema_refuses_too(string yaml)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(SchemaPath));

        Assert.Throws<ConfigurationException>(() => _project.Load(yaml));
        Assert.False(schema.Evaluate(ToJson(yaml)).IsValid, "the schema accepts what the loader refuses");
    }

    /// <summary>Walks the schema's object shapes, following $ref and every branch, collecting key paths as the loader names them.</summary>
    private static void Collect(JsonObject schema, JsonNode? node, string prefix, ISet<string> paths, int depth)
    {
        if (node is not JsonObject shape || depth > 32)
        {
            return;
        }

        if (shape["$ref"] is JsonValue reference)
        {
            var name = ((string)reference!)["#/$defs/".Length..];
            Collect(schema, schema["$defs"]![name], prefix, paths, depth + 1);
        }

        if (shape["properties"] is JsonObject properties)
        {
            foreach (var (key, value) in properties)
            {
                paths.Add(prefix + key);
                Collect(schema, value, prefix + key + ".", paths, depth + 1);
            }
        }

        if (shape["additionalProperties"] is JsonObject named)
        {
            Collect(schema, named, prefix + "*.", paths, depth + 1);
        }

        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (shape[combinator] is JsonArray branches)
            {
                foreach (var branch in branches)
                {
                    Collect(schema, branch, prefix, paths, depth + 1);
                }
            }
        }
    }

    /// <summary>The YAML as JSON, with YAML 1.2's core schema for plain scalars (null, booleans, numbers).</summary>
    private static JsonElement ToJson(string yaml)
    {
        var errors = new ConfigErrors("example");
        var root = ConfigDocumentReader.Read(yaml, errors);
        Assert.False(errors.Any, string.Join('\n', errors.ToList()));
        return JsonSerializer.SerializeToElement(Convert(root), JsonNodeContext.Default.JsonNode);

        static JsonNode? Convert(ConfigNode? node) => node switch
        {
            ConfigMapping mapping => new JsonObject(mapping.Entries.Select(entry => KeyValuePair.Create(entry.Key.Value, Convert(entry.Value)))),
            ConfigSequence sequence => new JsonArray([.. sequence.Items.Select(Convert)]),
            ConfigScalar { IsNull: true } => null,
            ConfigScalar { IsPlain: true, Value: "true" or "True" or "TRUE" } => JsonValue.Create(true),
            ConfigScalar { IsPlain: true, Value: "false" or "False" or "FALSE" } => JsonValue.Create(false),
            ConfigScalar { IsPlain: true } scalar when Number().IsMatch(scalar.Value) => JsonNode.Parse(scalar.Value),
            ConfigScalar scalar => JsonValue.Create(scalar.Value),
            _ => null,
        };
    }

    private static string Describe(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(detail => detail.Errors is not null)
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Value}")));

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Tether.slnx) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlocks();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")]
    private static partial Regex Number();
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : System.Text.Json.Serialization.JsonSerializerContext;
