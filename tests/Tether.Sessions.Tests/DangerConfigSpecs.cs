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

    private string Write(string content)
    {
        var path = Path.Combine(_dir, "rec.json");
        File.WriteAllText(path, content);
        return path;
    }
}
