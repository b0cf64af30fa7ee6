using System.Text;
using System.Text.RegularExpressions;

namespace Tether.Testing.Tests;

/// <summary>
/// Secrets stay out of cassettes: redacted arguments and output are written with the marker, the secret's bytes are
/// nowhere in the file, and the same invocation still replays.
/// </summary>
public sealed class RedactionSpecs : IDisposable
{
    private const string Secret = "hunter2-Zq9x";

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-redaction-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public static TheoryData<string> DefaultFlags =>
    [
        "--password", "--passwd", "--pass", "--token", "--access-token", "--auth-token", "--api-key", "--apikey",
        "--secret", "--client-secret", "--secret-key", "--access-key", "--private-key",
    ];

    [Theory]
    [MemberData(nameof(DefaultFlags))]
    public async Task A_default_secret_flag_given_as_flag_equals_value_is_redacted_and_replays(string flag)
    {
        // Arrange
        var command = new Command("deploy").WithArguments("--env", "prod", $"{flag}={Secret}");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("deployed\n"));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal<string>(["--env", "prod", $"{flag}={RedactionPolicy.Mask}"], cassette.Entry.Arguments);
        AssertNotInFile(cassette, Secret);
        Assert.Equal("deployed\n", replayed.Stdout);
    }

    [Theory]
    [MemberData(nameof(DefaultFlags))]
    public async Task A_default_secret_flag_followed_by_its_value_is_redacted_and_replays(string flag)
    {
        // Arrange
        var command = new Command("deploy").WithArguments(flag, Secret, "--verbose");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("deployed\n"));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal<string>([flag, RedactionPolicy.Mask, "--verbose"], cassette.Entry.Arguments);
        AssertNotInFile(cassette, Secret);
        Assert.Equal("deployed\n", replayed.Stdout);
    }

    [Fact]
    public async Task A_secret_flag_inside_a_shell_command_argument_is_redacted()
    {
        // Arrange
        var command = new Command("sh").WithArguments("-c", $"mysql --password {Secret} -e 'select 1' && curl --token={Secret}x https://api");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("1\n"));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal($"mysql --password {RedactionPolicy.Mask} -e 'select 1' && curl --token={RedactionPolicy.Mask} https://api", cassette.Entry.Arguments[1]);
        AssertNotInFile(cassette, Secret);
        Assert.Equal("1\n", replayed.Stdout);
    }

    [Theory]
    [InlineData("mysql --password=\"{0}\" -e 'select 1'")]
    [InlineData("mysql --password='{0}' -e 'select 1'")]
    [InlineData("deploy --token \"{0} with spaces\"")]
    public async Task A_quoted_secret_flag_value_inside_a_shell_command_is_redacted_and_replays(string template)
    {
        // Regression (this spec found it): the flag rule took the value as [^\s"']+ right after "=" or the space, so
        // a value in quotes (as shell commands and logs usually write it) did not match at all and the secret was
        // written to the cassette in the clear.
        // Arrange
        var script = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Secret);
        var command = new Command("sh").WithArguments("-c", script);

        // Act
        var cassette = await RecordAsync(command, Reply.Ok($"+ {script}\n"));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        AssertNotInFile(cassette, Secret);
        Assert.Contains(RedactionPolicy.Mask, cassette.Entry.Arguments[1], StringComparison.Ordinal);
        Assert.Equal(cassette.Entry.Stdout, replayed.Stdout);
    }

    [Fact]
    public async Task A_flag_that_only_looks_like_a_secret_flag_is_kept()
    {
        // Arrange
        var command = new Command("ssh-keygen").WithArguments("--passwordless=yes", "--tokenizer", "words", "--secrets-dir=/etc/app");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok());

        // Assert
        Assert.Equal<string>(["--passwordless=yes", "--tokenizer", "words", "--secrets-dir=/etc/app"], cassette.Entry.Arguments);
    }

    [Fact]
    public async Task Secret_flag_values_in_output_are_redacted()
    {
        // Arrange
        var command = new Command("make").WithArguments("deploy");
        var reply = Reply.Ok($"+ deploy --token={Secret} --region eu\n").WithStderr($"retrying with --api-key {Secret}\n");

        // Act
        var cassette = await RecordAsync(command, reply);
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal($"+ deploy --token={RedactionPolicy.Mask} --region eu\n", cassette.Entry.Stdout);
        Assert.Equal($"retrying with --api-key {RedactionPolicy.Mask}\n", cassette.Entry.Stderr);
        AssertNotInFile(cassette, Secret);
        Assert.Equal(cassette.Entry.Stdout, replayed.Stdout);
        Assert.Equal(cassette.Entry.Stderr, replayed.Stderr);
    }

    [Theory]
    [InlineData("> Authorization: Bearer {0}\n", "> Authorization: Bearer ***\n")]
    [InlineData("authorization: basic {0}\r\n", "authorization: basic ***\r\n")]
    [InlineData("AUTHORIZATION:token {0} trailing\n", "AUTHORIZATION:token *** trailing\n")]
    [InlineData("header \"Authorization: Digest {0}\" sent\n", "header \"Authorization: Digest ***\" sent\n")]
    public async Task Authorization_header_credentials_in_output_are_redacted_and_replay_redacted(string template, string expected)
    {
        // Arrange
        var command = new Command("curl").WithArguments("-v", "https://api.example.com/");
        var line = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, "eyJhbGciOi." + Secret);

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("{}").WithStderr(line));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal(expected, cassette.Entry.Stderr);
        AssertNotInFile(cassette, Secret);
        Assert.Equal(expected, replayed.Stderr);
    }

    [Fact]
    public async Task An_authorization_header_in_an_argument_is_redacted_and_replays()
    {
        // Arrange
        var command = new Command("curl").WithArguments("-H", $"Authorization: Bearer {Secret}", "https://api.example.com/");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("{}"));
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal($"Authorization: Bearer {RedactionPolicy.Mask}", cassette.Entry.Arguments[1]);
        AssertNotInFile(cassette, Secret);
        Assert.Equal("{}", replayed.Stdout);
    }

    [Fact]
    public async Task A_password_in_a_URL_is_redacted_in_arguments_and_output_and_replays()
    {
        // Arrange
        var command = new Command("git").WithArguments("clone", $"https://alice:{Secret}@git.example.com/repo.git");
        var reply = Reply.Ok().WithStderr($"Cloning into 'repo'... from https://alice:{Secret}@git.example.com/repo.git\n");

        // Act
        var cassette = await RecordAsync(command, reply);
        var replayed = await ReplayAsync(cassette, command);

        // Assert
        Assert.Equal($"https://alice:{RedactionPolicy.Mask}@git.example.com/repo.git", cassette.Entry.Arguments[1]);
        Assert.Equal($"Cloning into 'repo'... from https://alice:{RedactionPolicy.Mask}@git.example.com/repo.git\n", cassette.Entry.Stderr);
        AssertNotInFile(cassette, Secret);
        Assert.Equal(cassette.Entry.Stderr, replayed.Stderr);
    }

    [Fact]
    public async Task A_URL_without_a_password_is_kept()
    {
        // Arrange
        var command = new Command("git").WithArguments("clone", "https://git.example.com:8443/repo.git", "ssh://git@host/repo");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok());

        // Assert
        Assert.Equal<string>(["clone", "https://git.example.com:8443/repo.git", "ssh://git@host/repo"], cassette.Entry.Arguments);
    }

    [Fact]
    public async Task A_user_pattern_with_a_secret_group_redacts_only_that_group()
    {
        // Arrange
        var redaction = RedactionPolicy.Default.WithPattern(@"session=(?<secret>[0-9a-zA-Z-]+)");
        var command = new Command("app").WithArguments($"--cookie=lang=en;session={Secret};path=/");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok($"set session={Secret} ok\n"), redaction);
        var replayed = await ReplayAsync(cassette, command, redaction);

        // Assert
        Assert.Equal($"--cookie=lang=en;session={RedactionPolicy.Mask};path=/", cassette.Entry.Arguments[0]);
        Assert.Equal($"set session={RedactionPolicy.Mask} ok\n", cassette.Entry.Stdout);
        AssertNotInFile(cassette, Secret);
        Assert.Equal(cassette.Entry.Stdout, replayed.Stdout);
    }

    [Fact]
    public async Task A_user_pattern_without_a_secret_group_redacts_the_whole_match()
    {
        // Arrange
        var redaction = RedactionPolicy.Default.WithPattern(new Regex("sk_live_[A-Za-z0-9-]+", RegexOptions.CultureInvariant));
        var command = new Command("stripe").WithArguments($"--key=sk_live_{Secret}", "charges");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok($"using sk_live_{Secret}\n"), redaction);
        var replayed = await ReplayAsync(cassette, command, redaction);

        // Assert
        Assert.Equal<string>([$"--key={RedactionPolicy.Mask}", "charges"], cassette.Entry.Arguments);
        Assert.Equal($"using {RedactionPolicy.Mask}\n", cassette.Entry.Stdout);
        AssertNotInFile(cassette, Secret);
        AssertNotInFile(cassette, "sk_live_");
        Assert.Equal(cassette.Entry.Stdout, replayed.Stdout);
    }

    [Fact]
    public async Task A_literal_is_redacted_wherever_it_appears()
    {
        // Arrange: a literal with regex metacharacters, which must match only itself.
        const string literal = "tok.en+(42)";
        var redaction = RedactionPolicy.None.WithLiteral(literal);
        var command = new Command("tool").WithArguments($"x{literal}y", "tokXen+42");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok($"echo {literal}\n").WithStderr(literal), redaction);
        var replayed = await ReplayAsync(cassette, command, redaction);

        // Assert
        Assert.Equal<string>([$"x{RedactionPolicy.Mask}y", "tokXen+42"], cassette.Entry.Arguments);
        Assert.Equal($"echo {RedactionPolicy.Mask}\n", cassette.Entry.Stdout);
        Assert.Equal(RedactionPolicy.Mask, cassette.Entry.Stderr);
        AssertNotInFile(cassette, literal);
        Assert.Equal(cassette.Entry.Stdout, replayed.Stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_secret_argument_is_always_redacted_and_the_same_command_replays(bool noRules)
    {
        // Arrange: nothing about the value looks secret; only the command says so.
        var redaction = noRules ? RedactionPolicy.None : RedactionPolicy.Default;
        var command = new Command("login").WithArguments("--user", "alice").AddSecretArgument("plain-words-" + Secret).AddArgument("--remember");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("welcome\n"), redaction);
        var replayed = await ReplayAsync(cassette, command, redaction);

        // Assert
        Assert.Equal<string>(["--user", "alice", RedactionPolicy.Mask, "--remember"], cassette.Entry.Arguments);
        AssertNotInFile(cassette, Secret);
        Assert.Equal("welcome\n", replayed.Stdout);
    }

    [Fact]
    public async Task Without_rules_only_secret_arguments_are_redacted()
    {
        // Arrange
        var command = new Command("deploy").WithArguments("--password=visible");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("Authorization: Bearer visible\n"), RedactionPolicy.None);

        // Assert
        Assert.Equal<string>(["--password=visible"], cassette.Entry.Arguments);
        Assert.Equal("Authorization: Bearer visible\n", cassette.Entry.Stdout);
    }

    [Fact]
    public async Task Environment_values_are_never_stored_only_their_names()
    {
        // Arrange
        var command = new Command("deploy")
            .WithEnvironmentVariable("API_TOKEN", Secret)
            .WithEnvironmentVariable("PLAIN", "not-secret-but-still-" + Secret)
            .WithoutEnvironmentVariable("HOME");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok(), RedactionPolicy.None);
        var replayed = await ReplayAsync(cassette, command.WithEnvironmentVariable("API_TOKEN", "another"), RedactionPolicy.None);

        // Assert
        Assert.Equal<string>(["API_TOKEN", "HOME", "PLAIN"], cassette.Entry.EnvironmentNames);
        AssertNotInFile(cassette, Secret);
        Assert.Equal(new Outcome.Exited(0), replayed.Outcome);
    }

    [Fact]
    public async Task A_secret_argument_echoed_in_the_output_is_redacted_there_too()
    {
        // Regression (this spec found it): Command.AddSecretArgument promises the argument is "never written to
        // journals, cassettes or logs", but secret arguments were redacted only in "args"; when the program printed
        // the value (an echo, a verbose log, an error quoting it), it reached "stdout"/"stderr" in the clear.
        // Arrange
        var command = new Command("login").AddSecretArgument(Secret);

        // Act
        var cassette = await RecordAsync(command, Reply.Ok($"logged in with {Secret}\n").WithStderr($"warning: {Secret} expires soon\n"));

        // Assert
        Assert.Equal<string>([RedactionPolicy.Mask], cassette.Entry.Arguments);
        AssertNotInFile(cassette, Secret);
    }

    [Fact]
    public async Task A_user_pattern_that_also_matches_the_marker_still_replays()
    {
        // Regression (this spec found it): redaction was applied again to each stored entry's arguments on load, but
        // only once to the live invocation. A pattern that matches inside the marker itself (then "[REDACTED]"; here:
        // runs of 8+ capitals or digits, a common "API key" pattern) turned the stored "[REDACTED]" into "[[REDACTED]]", so the
        // recorded invocation never matched again.
        // Arrange
        var redaction = RedactionPolicy.Default.WithPattern("[A-Z0-9]{8,}");
        var command = new Command("aws").WithArguments("--key-id", "AKIA0123456789ABCDEF");

        // Act
        var cassette = await RecordAsync(command, Reply.Ok("ok\n"), redaction);
        var replay = await Record.ExceptionAsync(() => ReplayAsync(cassette, command, redaction));

        // Assert
        Assert.Equal<string>(["--key-id", RedactionPolicy.Mask], cassette.Entry.Arguments);
        AssertNotInFile(cassette, "AKIA0123456789ABCDEF");
        Assert.Null(replay);
    }

    [Fact]
    public async Task Redacted_entries_from_several_calls_each_replay_in_order()
    {
        // Arrange: two calls that differ only in their secret share one key once redacted.
        var path = Path.Combine(_directory, "cassette.json");
        var first = new Command("login").WithArguments("--token", "first-" + Secret);
        var second = new Command("login").WithArguments("--token", "second-" + Secret);
        var inner = new ScriptedRunner().OnSequence(["login"], Reply.Ok("one\n"), Reply.Ok("two\n"));
        using (var recorder = new RecordReplayRunner(path, CassetteMode.Record, inner: inner))
        {
            await recorder.OutputStringAsync(first).Soon();
            await recorder.OutputStringAsync(second).Soon();
            recorder.Save();
        }

        // Act
        using var replayer = new RecordReplayRunner(path, CassetteMode.Replay);
        var one = await replayer.OutputStringAsync(second).Soon();
        var two = await replayer.OutputStringAsync(first).Soon();

        // Assert
        Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        Assert.Equal("one\n", one.Stdout);
        Assert.Equal("two\n", two.Stdout);
    }

    [Fact]
    public async Task A_cassette_written_with_the_earlier_marker_still_replays_secrets_a_rule_finds()
    {
        // Cassettes were written with "[REDACTED]" before the one policy masked with "***". A stored entry also answers
        // its arguments with the rules applied, so a secret a rule finds ("--token [REDACTED]") still matches.
        // Arrange: record the old marker literally, with no rules.
        var old = new Command("deploy").WithArguments("--token", "[REDACTED]", "https://u:[REDACTED]@host", "API_KEY=[REDACTED]");
        var cassette = await RecordAsync(old, Reply.Ok("deployed\n"), RedactionPolicy.None);

        // Act
        var replayed = await ReplayAsync(cassette, new Command("deploy").WithArguments("--token", Secret, $"https://u:{Secret}@host", $"API_KEY={Secret}"));

        // Assert
        Assert.Equal("deployed\n", replayed.Stdout);
    }

    [Fact]
    public async Task A_marked_secret_stored_with_the_earlier_marker_does_not_match_and_says_so()
    {
        // Nothing but the command says a marked argument is secret, so an old "[REDACTED]" cannot be told from a value.
        // Arrange
        var cassette = await RecordAsync(new Command("login").WithArguments("[REDACTED]"), Reply.Ok("welcome\n"), RedactionPolicy.None);

        // Act
        var replay = await Record.ExceptionAsync(() => ReplayAsync(cassette, new Command("login").AddSecretArgument(Secret)));

        // Assert
        Assert.IsType<CassetteMissException>(replay);
    }

    // ---------------------------------------------------------------- helpers

    private async Task<Recorded> RecordAsync(Command command, Reply reply, RedactionPolicy? redaction = null)
    {
        var path = Path.Combine(_directory, "cassette.json");
        using (var recorder = new RecordReplayRunner(path, CassetteMode.Record, inner: new ScriptedRunner().Fallback(reply), redaction: redaction))
        {
            await recorder.OutputStringAsync(command).Soon();
            recorder.Save();
        }

        var bytes = await File.ReadAllBytesAsync(path);
        var entry = Assert.Single(Cassette.Load(path).Entries);
        return new Recorded(path, bytes, entry);
    }

    private static async Task<ProcessResult<string>> ReplayAsync(Recorded cassette, Command command, RedactionPolicy? redaction = null)
    {
        using var replayer = new RecordReplayRunner(cassette.Path, CassetteMode.Replay, redaction: redaction);
        return await replayer.OutputStringAsync(command).Soon();
    }

    private static void AssertNotInFile(Recorded cassette, string secret)
    {
        var at = cassette.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret));
        Assert.True(at < 0, $"The cassette holds '{secret}' at byte {at}.");
    }

    private sealed record Recorded(string Path, byte[] Bytes, CassetteEntry Entry);
}
