using System.Text;

namespace Tether.Sessions.Tests;

public sealed class ExportSpecs
{
    private const string Root = "/srv/demo";

    // ---- Format names ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("bash", ExportFormat.Bash)]
    [InlineData("makefile", ExportFormat.Makefile)]
    [InlineData("markdown", ExportFormat.Markdown)]
    [InlineData("github-actions", ExportFormat.GitHubActions)]
    [InlineData("github-action", ExportFormat.GitHubActions)]
    [InlineData("gitlab-ci", ExportFormat.GitLabCi)]
    [InlineData(" Dockerfile ", ExportFormat.Dockerfile)]
    public void I_can_name_a_format_as_the_command_line_spells_it(string name, ExportFormat expected)
    {
        Assert.Equal(expected, ExportFormats.Parse(name));
    }

    [Fact]
    public void An_unknown_format_name_is_refused_with_the_choices_listed()
    {
        var error = Assert.Throws<FormatException>(() => ExportFormats.Parse("circleci"));

        Assert.Equal("'circleci' is not an export format: choose bash, makefile, markdown, github-actions, gitlab-ci or dockerfile.", error.Message);
    }

    // ---- Bash ------------------------------------------------------------------------------------------------

    [Fact]
    public void A_bash_export_is_a_strict_script_that_cds_only_where_the_directory_changes()
    {
        var text = Export(ExportSamples.Demo(Root), ExportFormat.Bash);
        var lines = text.Split('\n');

        Assert.Equal("#!/usr/bin/env bash", lines[0]);
        Assert.Contains("# Session \"demo\", recorded 2025-03-01 09:30:00 +00:00 on box with bash: 14 commands, 2 failed when recorded.", lines);
        Assert.Contains("set -euo pipefail", lines);
        Assert.Equal(["cd /srv/demo", "cd /srv/demo/build", "cd '/srv/demo/odd dir'"], lines.Where(l => l.StartsWith("cd /", StringComparison.Ordinal) || l.StartsWith("cd '", StringComparison.Ordinal)));
        Assert.Contains("# [2] cd build\ncd /srv/demo/build\n", text, StringComparison.Ordinal);
        Assert.Contains("# [5] failed when recorded (exit 1)\nset +e\nfalse\nset -e\n", text, StringComparison.Ordinal);
        Assert.Contains("\n" + ExportSamples.Heredoc + "\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exported_bash_script_replays_the_session_and_goes_on_past_a_recorded_failure()
    {
        using var scratch = new ExportScratchDirectory();
        var (root, home) = (Directory.CreateDirectory(scratch["ws"]).FullName, Directory.CreateDirectory(scratch["home"]).FullName);
        File.WriteAllText(scratch["replay.sh"], Export(ExportSamples.Demo(root), ExportFormat.Bash));

        var result = await RunAsync(new Command("/bin/bash").WithArguments(scratch["replay.sh"]), home);

        Assert.True(result.IsSuccess, $"{result}\n{result.Stderr}");
        AssertReplayed(root, home);
    }

    [Fact]
    public async Task An_exported_bash_script_stops_at_a_command_that_fails_only_on_replay()
    {
        using var scratch = new ExportScratchDirectory();
        var root = Directory.CreateDirectory(scratch["ws"]).FullName;
        var session = ExportSamples.Build("strict", root, [("", "touch before.txt", 0), ("", "test -e never-there", 0), ("", "touch after.txt", 0)]);
        File.WriteAllText(scratch["replay.sh"], Export(session, ExportFormat.Bash));

        var result = await RunAsync(new Command("/bin/bash").WithArguments(scratch["replay.sh"]), scratch.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(root, "before.txt")));
        Assert.False(File.Exists(Path.Combine(root, "after.txt")));
    }

    [Fact]
    public void A_cd_that_failed_or_came_last_is_noted_but_not_replayed()
    {
        var session = ExportSamples.Build("cds", "/a", [("", "cd /nowhere", 1), ("", "touch x", 0), ("", "cd sub", 0)]);

        var text = Export(session, ExportFormat.Bash);

        Assert.Contains("# [1] cd /nowhere -- failed when recorded (exit 1); a cd that failed changed nothing, so it is not replayed\n", text, StringComparison.Ordinal);
        Assert.Contains("# [3] cd sub -- the last command; nothing ran in the directory it entered, so it is not replayed\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\ncd sub", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\ncd /nowhere", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_commands_can_be_left_out_and_are_then_reported()
    {
        var result = SessionExporter.Export(ExportSamples.Demo(Root), ExportFormat.Bash, new ExportOptions { IncludeFailed = false });

        Assert.Equal(new[] { 4, 6 }, result.Omitted);
        Assert.DoesNotContain("\nfalse\n", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("grep -q needle", result.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("set +e\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("12 commands, 2 failed left out.", result.Text, StringComparison.Ordinal);
    }

    // ---- Makefile --------------------------------------------------------------------------------------------

    [Fact]
    public void A_makefile_export_has_one_target_named_after_the_session_with_every_dollar_doubled()
    {
        var text = Export(ExportSamples.Demo(Root, name: "Deploy: prod/v2!"), ExportFormat.Makefile);
        var recipe = text[(text.IndexOf("\nDeploy-prod-v2:\n", StringComparison.Ordinal) + "\nDeploy-prod-v2:\n".Length)..].TrimEnd('\n').Split('\n');

        Assert.Contains("SHELL := /bin/bash\n.SHELLFLAGS := -euo pipefail -c\n.ONESHELL:\n.PHONY: Deploy-prod-v2\n", text, StringComparison.Ordinal);
        Assert.All(recipe, line => Assert.StartsWith("\t", line, StringComparison.Ordinal));
        Assert.Equal("\t@cd /srv/demo", recipe[0]);
        Assert.Contains("\techo \"it's \\\"quoted\\\" and $$HOME\" > quotes.txt", recipe);
        Assert.Contains("\t# [5] failed when recorded (exit 1)", recipe);
        Assert.Contains("\tset +e", recipe);
        Assert.Contains("\teval $$'cat > notes.md <<\\'EOF\\'\\n  indented line\\n- dash line\\ncost: $$5 # not a comment\\nEOF'", recipe);
        Assert.DoesNotContain(recipe, line => line.StartsWith("\t-", StringComparison.Ordinal));
    }

    [MakeInstalledFact]
    public async Task An_exported_makefile_replays_the_session_with_make_and_goes_on_past_a_recorded_failure()
    {
        using var scratch = new ExportScratchDirectory();
        var (root, home) = (Directory.CreateDirectory(scratch["ws"]).FullName, Directory.CreateDirectory(scratch["home"]).FullName);
        File.WriteAllText(scratch["Makefile.replay"], Export(ExportSamples.Demo(root), ExportFormat.Makefile));

        var result = await RunAsync(new Command("make").WithArguments("-f", scratch["Makefile.replay"]).WithWorkingDirectory(scratch.Path), home);

        Assert.True(result.IsSuccess, $"{result}\n{result.Stderr}");
        AssertReplayed(root, home);
    }

    [MakeInstalledFact]
    public async Task Make_hands_every_dollar_to_the_shell_and_stops_at_a_command_that_fails_only_on_replay()
    {
        using var scratch = new ExportScratchDirectory();
        var root = Directory.CreateDirectory(scratch["ws"]).FullName;
        var session = ExportSamples.Build("dollars", root,
        [
            ("", """echo "$HOME|$((1+1))|$(echo sub)|${#HOME}|$$" | sed 's/[0-9]*$/pid/'""", 0),
            ("", "test -e never-there", 0),
            ("", "echo unreachable", 0),
        ]);
        File.WriteAllText(scratch["Makefile.replay"], Export(session, ExportFormat.Makefile));

        var result = await RunAsync(new Command("make").WithArguments("-f", scratch["Makefile.replay"]).WithWorkingDirectory(scratch.Path), "/h");

        Assert.Equal($"/h|2|sub|2|pid\n", result.Stdout);
        Assert.NotEqual(0, result.ExitCode);
    }

    // ---- Markdown --------------------------------------------------------------------------------------------

    [Fact]
    public void A_markdown_export_has_a_title_a_table_and_a_fence_no_command_can_close()
    {
        var text = Export(ExportSamples.Demo(Root), ExportFormat.Markdown);
        var lines = text.Split('\n');

        Assert.Equal("# demo", lines[0]);
        Assert.Contains("| # | Directory | Exit | Duration |", lines);
        Assert.Contains("| 1 | `/srv/demo` | 0 | 250ms |", lines);
        Assert.Contains("| 5 | `/srv/demo/build` | **1** | 250ms |", lines);
        Assert.Contains("| 9 | `/srv/demo/odd dir` | 0 | 250ms |", lines);
        Assert.Contains("## 5 (failed, exit 1)", lines);
        Assert.Equal(ExportSamples.Heredoc + "\n", FencedBlock(lines, "```bash", afterHeading: "## 10"));
        Assert.Equal("echo '```' > fence.txt\n", FencedBlock(lines, "````bash", afterHeading: "## 13"));
    }

    // ---- GitHub Actions --------------------------------------------------------------------------------------

    [Fact]
    public void A_github_actions_export_is_a_workflow_with_a_step_per_command()
    {
        var session = ExportSamples.Demo(Root);
        var text = Export(session, ExportFormat.GitHubActions);

        var workflow = ExportYaml.Parse(text);
        var job = workflow.At("jobs").At("replay");
        var steps = job.At("steps").Items();
        var commands = session.Commands.Where(c => c.Command != "cd build").ToList();

        Assert.Equal("Replay demo", workflow.At("name").Text());
        Assert.True(workflow.At("on").Has("workflow_dispatch"));
        Assert.Equal("ubuntu-latest", job.At("runs-on").Text());
        Assert.Equal("bash", job.At("defaults").At("run").At("shell").Text());
        Assert.Equal(Root, job.At("defaults").At("run").At("working-directory").Text());
        Assert.Equal(commands.Count, steps.Count);
        foreach (var (step, command) in steps.Zip(commands))
        {
            Assert.Equal(command.Command + "\n", step.At("run").Text());
            Assert.StartsWith($"{command.Index + 1}. ", step.At("name").Text(), StringComparison.Ordinal);
            Assert.Equal(command.Cwd == Root ? null : command.Cwd, step.Has("working-directory") ? step.At("working-directory").Text() : null);
            Assert.Equal(command.ExitCode == 0 ? null : "true", step.Has("continue-on-error") ? step.At("continue-on-error").Text() : null);
        }

        Assert.Contains("      # [2] cd build -- every step names its own working-directory\n", text, StringComparison.Ordinal);
        Assert.Contains("        run: |2\n            echo \"lead\" > lead.txt   \n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_github_actions_export_keeps_a_recorded_expression_away_from_github()
    {
        var text = Export(ExportSamples.OneCommand("echo '${{ secrets.TOKEN }}'"), ExportFormat.GitHubActions);

        var run = ExportYaml.Parse(text).At("jobs").At("replay").At("steps").Items()[0].At("run").Text();

        Assert.Equal("echo '${{ '${{' }} secrets.TOKEN }}'\n", run);
    }

    // ---- GitLab CI -------------------------------------------------------------------------------------------

    [Fact]
    public void A_gitlab_ci_export_is_a_job_whose_script_replays_the_session_in_one_shell()
    {
        var session = ExportSamples.Demo(Root);
        var text = Export(session, ExportFormat.GitLabCi);
        var c = session.Commands.Select(x => x.Command).ToList();

        var pipeline = ExportYaml.Parse(text);
        var job = pipeline.At("replay");

        Assert.Equal(["replay"], pipeline.At("stages").Items().Select(i => i.Text()));
        Assert.Equal("replay", job.At("stage").Text());
        Assert.Equal("ubuntu:24.04", job.At("image").Text());
        Assert.Equal(
            [
                "cd /srv/demo", c[0], "cd /srv/demo/build", c[2], c[3], "set +e\nfalse\nset -e", c[5], $"set +e\n{c[6]}\nset -e", c[7],
                "cd '/srv/demo/odd dir'", c[8], c[9], c[10], c[11], c[12], c[13],
            ],
            job.At("script").Items().Select(i => i.Text()));
        Assert.Contains("\n    - echo \"it's \\\"quoted\\\" and $HOME\" > quotes.txt\n", text, StringComparison.Ordinal); // plain: reads as typed
        Assert.Contains("\n    - 'echo ''hash # kept'' > hash.txt # a trailing comment'\n", text, StringComparison.Ordinal); // " #" would start a comment
    }

    // ---- YAML for any text -----------------------------------------------------------------------------------

    public static TheoryData<string> AwkwardCommands() =>
    [
        "echo a: b", "echo # not a comment", "- leading dash", "echo \"double\" 'single'", "echo héllo ✓ 😀", "echo trailing   ",
        "   echo leading", "\techo tab-led", "echo 'a\r\nb'", "echo \u2028 line separator", "echo \x1b[31mred", "echo \u0085 nel",
        "echo \uFEFF bom", "---", "...", "| pipe first", "> folded?", "*alias", "&anchor", "!tag", "%directive", "@at", "`backtick`",
        "{a: b}", "[x, y]", "true", "null", "~", "123", "0x1F", "no", "On", "1:20", "key: value\nother: 'x'",
        "line one\n\n  line three after a blank", "  first indented\nsecond", "cat <<EOF\n- item\n# heading\nEOF",
        @"echo \ backslash \n not a newline", "printf '%s\\n' \"$(date)\" ${HOME}", "last line has spaces   \nnext",
        "\n\nleading blank lines", "   \nspaces-only first line", "a\n     \nb", "a\n   ", "tab\tinside", "ends with newlines\n\n", "#!/bin/bash", "a  b  double spaces",
        "make test", "./build.sh --release", "echo a#b", "echo x:", "echo x:y", "ls -la | grep foo > out && echo 'done' ; true", "echo {a} [b], c",
        "echo it's \"$HOME\" \\ `date` *.txt & wait", "yes", "OFF", "Null", ".inf", "-1", "./", "e: x",
    ];

    [Theory]
    [MemberData(nameof(AwkwardCommands))]
    public void Any_command_text_survives_the_yaml_formats(string command)
    {
        var run = ExportYaml.Parse(Export(ExportSamples.OneCommand(command), ExportFormat.GitHubActions))
            .At("jobs").At("replay").At("steps").Items()[0].At("run").Text();
        var script = ExportYaml.Parse(Export(ExportSamples.OneCommand(command), ExportFormat.GitLabCi))
            .At("replay").At("script").Items().Select(i => i.Text()).ToList();

        Assert.Equal(command.TrimEnd('\n') + "\n", run);
        Assert.Equal(["cd /srv/x", command], script);
    }

    // ---- Dockerfile ------------------------------------------------------------------------------------------

    [Fact]
    public async Task A_dockerfile_export_turns_directory_changes_and_a_recorded_cd_into_workdir()
    {
        var text = Export(ExportSamples.Demo(Root), ExportFormat.Dockerfile);
        var lines = text.TrimEnd('\n').Split('\n');
        var instructions = lines.Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

        Assert.Equal("FROM ubuntu:24.04", instructions[0]);
        Assert.Equal("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]", instructions[1]);
        Assert.All(instructions, i => Assert.Matches("^(FROM|SHELL|WORKDIR|RUN) ", i));
        Assert.DoesNotContain(lines, l => l.EndsWith('\\')); // no accidental line continuation
        Assert.Equal(["WORKDIR /srv/demo", "WORKDIR /srv/demo/build", "WORKDIR \"/srv/demo/odd dir\""], instructions.Where(i => i.StartsWith("WORKDIR", StringComparison.Ordinal)));
        Assert.Contains("# [2] cd build\nWORKDIR /srv/demo/build\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("RUN cd build", text, StringComparison.Ordinal);
        Assert.Contains("RUN mkdir -p build 'odd dir'", instructions);
        Assert.Contains("# [5] failed when recorded (exit 1)\nRUN false || true\n", text, StringComparison.Ordinal);
        Assert.Contains("RUN echo 'hash # kept' > hash.txt # a trailing comment", instructions);
        Assert.Contains("RUN echo \"lead\" > lead.txt", instructions);

        // A heredoc and a failed command with a trailing comment go through eval $'…'; bash must read back the recorded text.
        var heredoc = Assert.Single(instructions, i => i.StartsWith("RUN eval $'cat", StringComparison.Ordinal));
        var grep = Assert.Single(instructions, i => i.StartsWith("RUN eval $'grep", StringComparison.Ordinal));
        Assert.EndsWith(" || true", grep, StringComparison.Ordinal);
        Assert.Equal(ExportSamples.Heredoc, await BashReadsAsync(heredoc["RUN eval ".Length..]));
        Assert.Equal("grep -q needle /dev/null # nothing to find", await BashReadsAsync(grep["RUN eval ".Length..^" || true".Length]));
    }

    [Fact]
    public void A_dockerfile_starts_from_the_image_asked_for()
    {
        var text = Export(ExportSamples.Demo(Root), ExportFormat.Dockerfile, new ExportOptions { Image = "debian:12" });

        Assert.Contains("\nFROM debian:12\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_a_dockerfile_cannot_express_is_refused()
    {
        var session = ExportSamples.OneCommand("ls", cwd: "/srv/two\nlines");

        var error = Assert.Throws<UnexportableSessionException>(() => SessionExporter.Export(session, ExportFormat.Dockerfile));

        Assert.Contains("WORKDIR", error.Message, StringComparison.Ordinal);
    }

    // ---- Placeholders ----------------------------------------------------------------------------------------

    private static readonly (string, string, int?)[] AlicesCommands =
    [
        ("/home/alice/proj", "scp build.tar alice@box:/home/alice/backup", 0),
        ("/home/alice/proj", "ls /home/alice2 /mnt/home/alice malice box-builder", 0),
        ("/home/alice/proj", "echo \"$HOME\" {{TAG}}", 0),
    ];

    [Fact]
    public void Parameterizing_replaces_the_recorded_home_user_and_host_with_placeholders()
    {
        var result = SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Bash, new ExportOptions { Parameterize = true });

        Assert.Contains("\ncd '{{HOME}}/proj'\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\nscp build.tar {{USER}}@{{HOST}}:{{HOME}}/backup\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\nls /home/alice2 /mnt/home/{{USER}} malice box-builder\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\necho \"$HOME\" {{TAG}}\n", result.Text, StringComparison.Ordinal);
        Assert.Contains(" on {{HOST}} with bash", result.Text, StringComparison.Ordinal);
        Assert.Equal(new[] { "HOME", "HOST", "TAG", "USER" }, result.Unfilled);
    }

    [Fact]
    public void Parameters_fill_placeholders_and_the_unused_ones_are_reported()
    {
        var parameters = new Dictionary<string, string> { ["HOME"] = "/srv/ci", ["USER"] = "ci", ["HOST"] = "runner", ["TAG"] = "v1.2", ["TYPO"] = "x" };

        var result = SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Bash, new ExportOptions { Parameterize = true, Parameters = parameters });

        Assert.Contains("\ncd /srv/ci/proj\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\nscp build.tar ci@runner:/srv/ci/backup\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\necho \"$HOME\" v1.2\n", result.Text, StringComparison.Ordinal);
        Assert.Empty(result.Unfilled);
        Assert.Equal(new[] { "TYPO" }, result.Unused);
    }

    [Fact]
    public void A_filled_value_is_quoted_for_the_format_and_never_expanded_again()
    {
        var options = new ExportOptions { Parameterize = true, Parameters = new Dictionary<string, string> { ["HOME"] = "/srv/o'neil $dir", ["TAG"] = "{{USER}}" } };

        var bash = SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Bash, options);
        var docker = SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Dockerfile, options);

        Assert.Contains("\ncd '/srv/o'\\''neil $dir/proj'\n", bash.Text, StringComparison.Ordinal);
        Assert.Contains("\nWORKDIR \"/srv/o'neil \\$dir/proj\"\n", docker.Text, StringComparison.Ordinal);
        Assert.Contains("\necho \"$HOME\" {{USER}}\n", bash.Text, StringComparison.Ordinal);
        Assert.Equal(new[] { "HOST", "USER" }, bash.Unfilled); // USER from alice@box; the TAG value's {{USER}} is text, not a placeholder
    }

    [Fact]
    public void Without_a_recorded_home_the_home_is_the_one_every_directory_under_home_shares()
    {
        var session = ExportSamples.Alices([("/home/alice/proj", "cp /home/alice/a.txt /tmp", 0), ("/tmp", "ls", 0)], withHome: false);

        var text = Export(session, ExportFormat.Bash, new ExportOptions { Parameterize = true });

        Assert.Contains("\ncp {{HOME}}/a.txt /tmp\n", text, StringComparison.Ordinal);
        Assert.Contains("\ncd '{{HOME}}/proj'\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_parameterizing_only_the_given_placeholders_change()
    {
        var result = SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Bash, new ExportOptions { Parameters = new Dictionary<string, string> { ["TAG"] = "v2" } });

        Assert.Contains("\nscp build.tar alice@box:/home/alice/backup\n", result.Text, StringComparison.Ordinal);
        Assert.Contains("\necho \"$HOME\" v2\n", result.Text, StringComparison.Ordinal);
        Assert.Empty(result.Unfilled);
    }

    [Fact]
    public void A_parameter_name_that_cannot_be_a_placeholder_is_refused()
    {
        var options = new ExportOptions { Parameters = new Dictionary<string, string> { ["NOT VALID"] = "x" } };

        var error = Assert.Throws<ArgumentException>(() => SessionExporter.Export(ExportSamples.Alices(AlicesCommands), ExportFormat.Bash, options));

        Assert.Contains("'NOT VALID' cannot name a placeholder", error.Message, StringComparison.Ordinal);
    }

    // ---- Every format --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ExportFormat.Bash)]
    [InlineData(ExportFormat.Makefile)]
    [InlineData(ExportFormat.Markdown)]
    [InlineData(ExportFormat.GitHubActions)]
    [InlineData(ExportFormat.GitLabCi)]
    [InlineData(ExportFormat.Dockerfile)]
    public void An_empty_session_exports_a_valid_file_that_does_nothing(ExportFormat format)
    {
        var session = ExportSamples.Build("empty", Root, []);

        var text = Export(session, format);

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        if (format is ExportFormat.GitHubActions)
        {
            Assert.Single(ExportYaml.Parse(text).At("jobs").At("replay").At("steps").Items());
        }
        else if (format is ExportFormat.GitLabCi)
        {
            Assert.Single(ExportYaml.Parse(text).At("replay").At("script").Items());
        }
    }

    // ---- Helpers -------------------------------------------------------------------------------------------------

    private static string Export(Session session, ExportFormat format, ExportOptions? options = null) =>
        SessionExporter.Export(session, format, options).Text;

    private static Task<ProcessResult<string>> RunAsync(Command command, string home) =>
        ProcessRunner.Default.OutputStringAsync(command.WithEnvironmentVariable("HOME", home).WithEncoding(new UTF8Encoding(false))).Soon();

    /// <summary>What bash makes of a <c>$'…'</c> word.</summary>
    private static async Task<string> BashReadsAsync(string word) =>
        (await RunAsync(new Command("/bin/bash").WithArguments("-c", "printf %s " + word), "/")).Stdout;

    /// <summary>The effects of replaying <see cref="ExportSamples.Demo"/> under <paramref name="root"/> with HOME=<paramref name="home"/>.</summary>
    private static void AssertReplayed(string root, string home)
    {
        string Read(string path) => File.ReadAllText(Path.Combine(root, path));

        Assert.Equal($"it's \"quoted\" and {home}\n", Read("build/quotes.txt"));
        Assert.Equal("build|back\\slash\n", Read("build/subst.txt"));
        Assert.Equal("hash # kept\n", Read("build/hash.txt"));
        Assert.True(File.Exists(Path.Combine(root, "odd dir/entered.txt")));
        Assert.Equal("ünïcødé ✓\n", Read("odd dir/ünï.txt"));
        Assert.Equal(ExportSamples.HeredocOutput, Read("odd dir/notes.md"));
        Assert.Equal("lead\n", Read("odd dir/lead.txt"));
        Assert.Equal("42\n", Read("odd dir/math.txt"));
        Assert.Equal("```\n", Read("odd dir/fence.txt"));
        Assert.True(File.Exists(Path.Combine(root, "odd dir/finished.txt")), "the replay did not reach the last command");
    }

    /// <summary>The content of the fenced block opened by <paramref name="fence"/> after the heading <paramref name="afterHeading"/>.</summary>
    private static string FencedBlock(string[] lines, string fence, string afterHeading)
    {
        var open = Array.IndexOf(lines, fence, Array.IndexOf(lines, afterHeading));
        var closing = fence.TrimEnd('a', 'b', 's', 'h');
        var close = Array.IndexOf(lines, closing, open + 1);
        Assert.True(open > 0 && close > open, $"no {fence} block after {afterHeading}");
        return string.Join('\n', lines[(open + 1)..close]) + "\n";
    }
}
