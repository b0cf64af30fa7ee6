namespace Tether.Sessions.Tests;

public sealed class DangerConfigSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tether-danger-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Custom_patterns_from_the_file_apply_case_insensitively_to_each_sub_command()
    {
        var path = Write("""{ "danger": { "patterns": [ { "id": "deploy_prod", "pattern": "^deploy\\s+prod", "reason": "deploys to production" } ] } }""");

        var rules = DangerConfig.Load(path);

        var finding = Assert.Single(DangerCheck.Check("cd app && DEPLOY prod --now", rules));
        Assert.Equal("deploy_prod", finding.RuleId);
        Assert.Empty(DangerCheck.Check("echo 'deploy prod'", rules));
        Assert.NotEmpty(DangerCheck.Check("rm -rf build", rules)); // the moderate preset still applies
    }

    [Fact]
    public void The_files_preset_is_used_unless_one_is_given()
    {
        var path = Write("""{ "danger": { "preset": "strict" } }""");

        Assert.NotEmpty(DangerCheck.Check("git push", DangerConfig.Load(path)));
        Assert.Empty(DangerCheck.Check("git push", DangerConfig.Load(path, DangerPreset.Moderate)));
    }

    [Fact]
    public void A_missing_default_file_means_no_custom_patterns_but_a_missing_given_file_is_an_error()
    {
        var missing = Path.Combine(_dir, "absent.json");

        Assert.Empty(DangerCheck.Check("git push", DangerConfig.Load(missing)));
        Assert.Throws<FileNotFoundException>(() => DangerConfig.Load(missing, required: true));
    }

    [Theory]
    [InlineData("{ not json", "not valid JSON")]
    [InlineData("""{ "danger": { "preset": "reckless" } }""", "danger.preset")]
    [InlineData("""{ "danger": { "patterns": [ { "id": "x", "pattern": "(", "reason": "r" } ] } }""", "'")]
    [InlineData("""{ "danger": { "patterns": [ { "id": "x", "reason": "r" } ] } }""", "pattern 0 needs")]
    public void An_invalid_file_is_reported_with_what_is_wrong(string content, string expected)
    {
        var path = Write(content);

        var error = Assert.Throws<FormatException>(() => DangerConfig.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("preset", "\"danger.preset\" is not valid text")]
    [InlineData("reason", "pattern 0's \"reason\" is not valid text")]
    public void A_string_that_is_not_unicode_is_a_configuration_error_not_a_crash(string field, string expected)
    {
        var path = Path.Combine(_dir, "rec.json");
        foreach (var bad in new byte[][] { [0xFF, 0xFE], "\\ud800"u8.ToArray() })
        {
            var value = field == "preset" ? bad : "x"u8.ToArray();
            var reason = field == "reason" ? bad : "r"u8.ToArray();
            File.WriteAllBytes(path, [
                .. "{ \"danger\": { \"preset\": \""u8, .. (field == "preset" ? value : "strict"u8.ToArray()),
                .. "\", \"patterns\": [ { \"id\": \"x\", \"pattern\": \"y\", \"reason\": \""u8, .. reason, .. "\" } ] } }"u8]);

            var error = Assert.Throws<FormatException>(() => DangerConfig.Load(path));

            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_directory_given_as_the_file_is_a_configuration_error()
    {
        var error = Assert.Throws<FormatException>(() => DangerConfig.Load(_dir, required: true));

        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
    }

    private string Write(string content)
    {
        var path = Path.Combine(_dir, "rec.json");
        File.WriteAllText(path, content);
        return path;
    }
}
