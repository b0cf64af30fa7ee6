using System.Text.Json;
using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>A wrong command line exits 2 with one line on stderr that says what was wrong and what to do.</summary>
public sealed class UsageSpecs
{
    [Theory]
    [InlineData(new[] { "run", "--timeout", "5x", "--", "/bin/true" }, "--timeout: '5x' is not a duration: write a number with a unit, such as 500ms, 2s, 1.5s, 5m or 1h.")]
    [InlineData(new[] { "run", "--timeout", "5", "--", "/bin/true" }, "--timeout: '5' is not a duration")]
    [InlineData(new[] { "run", "--timeout", "0s", "--", "/bin/true" }, "--timeout: '0s' is zero")]
    [InlineData(new[] { "run", "--idle-timeout", "soon", "--", "/bin/true" }, "--idle-timeout: 'soon' is not a duration")]
    [InlineData(new[] { "run", "--grace", "-1s", "--", "/bin/true" }, "--grace: '-1s' is not a duration")]
    [InlineData(new[] { "run", "--signal", "NOPE", "--", "/bin/true" }, "--signal: 'NOPE' is not a signal")]
    [InlineData(new[] { "run", "--signal", "99", "--", "/bin/true" }, "--signal: '99' is not a signal")]
    [InlineData(new[] { "run", "--env", "NOVALUE", "--", "/bin/true" }, "--env: 'NOVALUE' has no '=': write NAME=VALUE")]
    [InlineData(new[] { "run", "--env", "=value", "--", "/bin/true" }, "--env: '=value' has no name")]
    [InlineData(new[] { "run", "--env-allow", "A=B", "--", "/bin/true" }, "--env-allow: 'A=B' is not a variable name")]
    [InlineData(new[] { "run", "--containment", "jail", "--", "/bin/true" }, "--containment: 'jail' is not a containment mode")]
    [InlineData(new[] { "run", "--" }, "run: no program given: write it after '--'")]
    [InlineData(new[] { "run", "--json" }, "run: no program given")]
    [InlineData(new[] { "run", "--timeot", "5s", "--", "/bin/true" }, "'--timeot' is not an option of tether run")]
    [InlineData(new[] { "run", "--timeout" }, "--timeout")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate' is not a verb of tether")]
    [InlineData(new string[0], "no verb given")]
    public async Task A_wrong_command_line_exits_2_with_one_line_on_stderr(string[] args, string expected)
    {
        var result = await Tool.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.SingleErrorLine(), StringComparison.Ordinal);
        if (args.Contains("--json"))
        {
            // With --json the error is also the one JSON document on stdout (docs/cli.md, "JSON output").
            using var document = JsonDocument.Parse(Assert.Single(result.StdoutLines));
            Assert.Equal("usage", document.RootElement.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains(expected, document.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(result.Stdout);
        }
    }

    [Fact]
    public async Task Words_after_the_program_belong_to_the_program_even_when_they_look_like_options()
    {
        var result = await Tool.RunAsync(Dummy.Run("echo-args", "--timeout", "5x", "--", "--json"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("""["--timeout","5x","--","--json"]""", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public async Task An_at_sign_argument_reaches_the_program_verbatim_rather_than_naming_a_response_file()
    {
        var result = await Tool.RunAsync(Dummy.Run("echo-args", "@/etc/hostname"));

        Assert.Equal("""["@/etc/hostname"]""", Assert.Single(result.StdoutLines));
    }

    [Fact]
    public async Task The_double_dash_may_be_left_out_when_the_program_does_not_start_with_a_dash()
    {
        var result = await Tool.RunAsync("run", Dummy.Path, "exit", "5");

        Assert.Equal(5, result.ExitCode);
    }
}
