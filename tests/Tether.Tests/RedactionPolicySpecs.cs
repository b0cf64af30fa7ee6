namespace Tether.Tests;

/// <summary>
/// The one redaction policy (<see cref="RedactionPolicy"/>): which arguments and text count as secret, that a secret
/// becomes <c>***</c> with the text around it kept, that the argument form and the shell-line form of the same words
/// are masked alike, and that what is not secret is left alone.
/// </summary>
public sealed class RedactionPolicySpecs
{
    /// <summary>Program, arguments (separated by '|'), and the arguments expected after redaction.</summary>
    public static TheoryData<string, string, string> SecretArguments => new()
    {
        { "tool", "--pass|pw-1", "--pass|***" },
        { "tool", "--password=pw-2", "--password=***" },
        { "tool", "--password='pw 2b'", "--password='***'" },
        { "tool", "--token|pw-3", "--token|***" },
        { "tool", "--auth|pw-4", "--auth|***" },
        { "tool", "--api-key|pw-5", "--api-key|***" },
        { "tool", "--secret=pw-6", "--secret=***" },
        { "tool", "--client-secret|pw-6b", "--client-secret|***" },
        { "mysql", "-u|root|-p|pw-7", "-u|root|-p|***" },
        { "/usr/bin/mysqldump", "-ppw-8|db", "-p***|db" },
        { "sshpass", "-p|pw-9|ssh|host", "-p|***|ssh|host" },
        { "curl", "-H|Authorization: Bearer pw-10|https://api", "-H|Authorization: Bearer ***|https://api" },
        { "curl", "-H|authorization: basic pw-11", "-H|authorization: basic ***" },
        { "curl", "-H|X-Api-Key: pw-11b", "-H|X-Api-Key: ***" },
        { "git", "clone|https://alice:pw-12@git.example.com/r.git", "clone|https://alice:***@git.example.com/r.git" },
        { "env", "API_KEY=pw-13|run", "API_KEY=***|run" },
        { "env", "AWS_SECRET_ACCESS_KEY=pw-14", "AWS_SECRET_ACCESS_KEY=***" },
        { "env", "GITHUB_TOKEN=pw-15", "GITHUB_TOKEN=***" },
        { "env", "DB_PASSWORD=pw-16", "DB_PASSWORD=***" },
        { "env", "APP_SECRET=pw-17", "APP_SECRET=***" },
        { "env", "DB_PASS=pw-18", "DB_PASS=***" },
        { "env", "PGPASSWORD=pw-19", "PGPASSWORD=***" },
        { "env", "client_secret=pw-20", "client_secret=***" },
        { "docker", "run|-e|AWS_ACCESS_KEY=pw-21|img", "run|-e|AWS_ACCESS_KEY=***|img" },
        { "curl", "https://api.example.com/v1?access_token=pw-22&x=1", "https://api.example.com/v1?access_token=***&x=1" },
        { "sh", "-c|mysql -h db -p pw-23 -e 'select 1'", "-c|mysql -h db -p *** -e 'select 1'" },
        { "sh", "-c|deploy --token \"pw 24\" && API_KEY=pw-24b make", "-c|deploy --token \"***\" && API_KEY=*** make" },
    };

    /// <summary>Program, arguments and the same arguments: nothing secret in them.</summary>
    public static TheoryData<string, string> PlainArguments => new()
    {
        { "ssh-keygen", "--passwordless=yes|--tokenizer|words|--secrets-dir=/etc/app" },
        { "grep", "-p|pattern|file" },
        { "cp", "-p|src|dst" },
        { "mysql", "-u|root|-p|-e|select 1" },
        { "git", "clone|https://git.example.com:8443/repo.git|ssh://git@host/repo" },
        { "env", "PWD=/home/me|TOKENIZER=bpe|SECRETS_DIR=/run/s|KEY=value|LANG=C" },
        { "make", "--secrets-file=/etc/x|-j4" },
    };

    /// <summary>A shell command line and how it is stored.</summary>
    public static TheoryData<string, string> ShellLines => new()
    {
        { "mysql -u root -p hunter2 -e 'select 1'", "mysql -u root -p *** -e 'select 1'" },
        { "mysql -phunter2 db", "mysql -p*** db" },
        { "curl -H 'Authorization: Bearer tok' https://api", "curl -H 'Authorization: Bearer ***' https://api" },
        { "export API_KEY=abc AWS_SECRET_ACCESS_KEY='x y'", "export API_KEY=*** AWS_SECRET_ACCESS_KEY='***'" },
        { "deploy --password=pw --region eu", "deploy --password=*** --region eu" },
        { "deploy --pass pw; echo done", "deploy --pass ***; echo done" },
        { "git push https://u:pw@host/r.git", "git push https://u:***@host/r.git" },
        { "(mysql -p pw) && (deploy --token tk)", "(mysql -p ***) && (deploy --token ***)" },
        { "ls -la; grep -p x file", "ls -la; grep -p x file" },
        { "echo mysql; cp -p a b", "echo mysql; cp -p a b" },
    };

    [Theory]
    [MemberData(nameof(SecretArguments))]
    public void A_secret_argument_is_masked_and_the_text_around_it_kept(string program, string arguments, string expected)
    {
        // Act
        var redacted = RedactionPolicy.Default.For(program, arguments.Split('|'));

        // Assert
        Assert.Equal(expected, string.Join('|', redacted.Arguments));
    }

    [Theory]
    [MemberData(nameof(PlainArguments))]
    public void An_argument_that_only_looks_like_a_secret_is_kept(string program, string arguments)
    {
        // Act
        var redacted = RedactionPolicy.Default.For(program, arguments.Split('|'));

        // Assert
        Assert.Equal(arguments, string.Join('|', redacted.Arguments));
    }

    [Theory]
    [MemberData(nameof(ShellLines))]
    public void A_shell_line_is_masked_like_its_words(string line, string expected)
    {
        // Act
        var stored = RedactionPolicy.Default.Redact(line);

        // Assert
        Assert.Equal(expected, stored);
    }

    [Theory]
    [MemberData(nameof(SecretArguments))]
    public void Masking_twice_changes_nothing(string program, string arguments, string expected)
    {
        // A cassette matches a live call by its masked arguments against the stored (already masked) ones.
        // Act
        var once = RedactionPolicy.Default.For(program, arguments.Split('|')).Arguments;
        var twice = RedactionPolicy.Default.For(program, once).Arguments;

        // Assert
        Assert.Equal(expected, string.Join('|', twice));
    }

    [Theory]
    [InlineData("--pass", "pw-a1")]
    [InlineData("--token", "pw-a2")]
    [InlineData("--auth", "pw-a3")]
    public void A_flag_and_its_value_are_masked_the_same_as_arguments_and_as_a_shell_line(string flag, string value)
    {
        // Act
        var asArguments = string.Join(' ', RedactionPolicy.Default.For("tool", [flag, value]).Argv);
        var asLine = RedactionPolicy.Default.Redact($"tool {flag} {value}");

        // Assert
        Assert.Equal($"tool {flag} ***", asArguments);
        Assert.Equal(asArguments, asLine);
    }

    [Fact]
    public void An_argument_marked_secret_is_masked_whatever_the_rules()
    {
        // Act
        var redacted = RedactionPolicy.None.For("login", ["--user", "alice", "plain-words", "--remember"], [false, false, true, false]);

        // Assert
        Assert.Equal<string>(["--user", "alice", "***", "--remember"], redacted.Arguments);
    }

    [Fact]
    public void Without_rules_only_marked_arguments_are_masked()
    {
        // Act
        var redacted = RedactionPolicy.None.For("deploy", ["--password=visible", "API_KEY=visible"]);

        // Assert
        Assert.Equal<string>(["--password=visible", "API_KEY=visible"], redacted.Arguments);
        Assert.Equal("Authorization: Bearer visible", RedactionPolicy.None.Redact("Authorization: Bearer visible"));
    }

    [Fact]
    public void A_value_masked_in_the_arguments_is_masked_where_the_output_echoes_it()
    {
        // Arrange
        var redactor = RedactionPolicy.Default.For(new Command("login").WithArguments("--token", "tok-7431", "-v").AddSecretArgument("m9"));

        // Act
        var output = redactor.Output("sent tok-7431 and m9\nAuthorization: Bearer other-99\n");

        // Assert
        Assert.Equal("sent *** and ***\nAuthorization: Bearer ***\n", output);
    }

    [Fact]
    public void A_short_value_found_by_a_rule_is_not_searched_for_in_output()
    {
        // Masking every "ab" in a log would destroy it; a value marked secret is masked whatever its length.
        // Act
        var output = RedactionPolicy.Default.For("tool", ["--token", "ab"]).Output("tab stab\n");

        // Assert
        Assert.Equal("tab stab\n", output);
    }

    [Fact]
    public void User_flags_patterns_and_literals_extend_the_rules()
    {
        // Arrange
        var policy = RedactionPolicy.Default
            .WithFlags("--vault-key")
            .WithPattern(@"session=(?<secret>[0-9a-z-]+)")
            .WithLiteral("tok.en+(42)");

        // Act
        var redacted = policy.For("app", ["--vault-key", "vk-1", "--cookie=session=abc-1", "xtok.en+(42)y", "tokXen+42"]);

        // Assert
        Assert.Equal<string>(["--vault-key", "***", "--cookie=session=***", "x***y", "tokXen+42"], redacted.Arguments);
        Assert.Equal("--vault-key ***", policy.Redact("--vault-key vk-2"));
    }

    [Fact]
    public void A_user_flag_of_any_spelling_is_masked_in_text_as_well_as_in_arguments()
    {
        // Arrange: flags that share no "--" start (the text rules skip a line that holds none of the flags' common start).
        var policy = RedactionPolicy.None.WithFlags("-k", "/key");

        // Act
        var arguments = policy.For("tool", ["-k", "kv-1", "/key=kv-2"]).Arguments;
        var line = policy.Redact("tool -k kv-3 /key kv-4");

        // Assert
        Assert.Equal<string>(["-k", "***", "/key=***"], arguments);
        Assert.Equal("tool -k *** /key ***", line);
    }

    [Fact]
    public void The_mask_is_three_asterisks()
    {
        Assert.Equal("***", RedactionPolicy.Mask);
    }

    [Fact]
    public void A_command_describes_itself_with_secrets_masked()
    {
        // Arrange
        var command = new Command("mysql").WithArguments("-u", "root", "-p", "pw-ts-1", "--password=pw-ts-2", "API_KEY=pw-ts-3").AddSecretArgument("pw-ts-4");

        // Act
        var text = command.ToString();

        // Assert
        Assert.Equal("mysql -u root -p *** --password=*** API_KEY=*** ***", text);
    }
}
