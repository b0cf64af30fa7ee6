namespace Tether.Sessions.Tests;

/// <summary>
/// The shell parser on its own reads syntax only: words, quoting, operators, redirections, subshells and substitutions.
/// It knows no program — <c>sudo</c>, <c>bash -c</c>, <c>find -exec</c> are words like any other until
/// <see cref="NestedCommandExpander"/> reads them.
/// </summary>
public sealed class ShellParserSpecs
{
    [Fact]
    public void A_script_handed_to_a_shell_stays_one_argument_of_one_command()
    {
        // Act
        var commands = Syntax("bash -c 'rm -rf /x'");

        // Assert
        var bash = Assert.Single(commands);
        Assert.Equal(["bash", "-c", "rm -rf /x"], bash.Words.Select(w => w.Value));
        Assert.Equal("bash -c 'rm -rf /x'", bash.Text);
    }

    [Theory]
    [InlineData("eval rm -rf /x", 4)]
    [InlineData("su root -c 'rm -rf /x'", 4)]
    [InlineData("echo 'rm -rf /x' | sh", 2)]
    [InlineData("sh <<< 'rm -rf /x'", 1)]
    [InlineData("find . -exec rm -rf {} \\;", 7)]
    public void Programs_that_run_other_commands_are_plain_commands_to_the_parser(string line, int wordsOfTheFirst)
    {
        // Act
        var commands = Syntax(line);

        // Assert
        Assert.Equal(wordsOfTheFirst, commands[0].Words.Count);
        Assert.DoesNotContain(commands, c => c.Parent is not null);
        Assert.DoesNotContain(commands, c => c.Words.Count > 0 && c.Words[0].Value == "rm");
    }

    [Fact]
    public void Prefixes_are_words_as_written_until_the_expander_takes_them_off()
    {
        // Act
        var sudo = Assert.Single(Syntax("FOO=1 sudo -u root rm -rf /x"));

        // Assert
        Assert.Equal(["FOO=1", "sudo", "-u", "root", "rm", "-rf", "/x"], sudo.Words.Select(w => w.Value));
        Assert.Empty(sudo.Wrappers);
        Assert.Empty(sudo.EffectiveWords);
        Assert.Equal(0, sudo.ProgramIndex);
    }

    [Fact]
    public void Operators_split_commands_into_pipelines_and_stages()
    {
        // Act
        var commands = Syntax("cd x && curl -s y | tee f | sh; ls &");

        // Assert
        Assert.Equal(["cd", "curl", "tee", "sh", "ls"], commands.Select(c => c.Words[0].Value));
        Assert.Equal([0, 0, 1, 2, 0], commands.Select(c => c.Stage));
        Assert.Single(commands.Skip(1).Take(3).Select(c => c.Pipeline).Distinct());
        Assert.Equal(3, commands.Select(c => c.Pipeline).Distinct().Count());
    }

    [Fact]
    public void Substitutions_are_syntax_so_their_commands_are_read_with_the_command_they_sit_in()
    {
        // Act
        var commands = Syntax("echo \"$(rm -rf y)\" `id` <(ls)");

        // Assert
        var echo = commands.Single(c => c.Words[0].Value == "echo");
        Assert.Equal(["id", "ls", "rm"], commands.Where(c => c != echo).Select(c => c.Words[0].Value).Order(StringComparer.Ordinal));
        Assert.All(commands.Where(c => c != echo), c =>
        {
            Assert.Same(echo, c.Parent);
            Assert.True(c.FromSubstitution);
        });
    }

    [Fact]
    public void Quoting_and_escapes_are_undone_in_words_and_the_original_positions_are_kept()
    {
        // Act
        var command = Assert.Single(Syntax("echo \"rm -rf /\" $'\\x72\\x6d' \\r\\m # rm -rf /"));

        // Assert
        Assert.Equal(["echo", "rm -rf /", "rm", "rm"], command.Words.Select(w => w.Value));
        Assert.True(command.Words[1].Quoted);
        Assert.Equal(6, command.Words[1].Origin[0]); // the `r` after the opening quote
    }

    [Fact]
    public void A_here_document_is_kept_as_the_body_of_its_redirection_and_only_its_substitutions_are_read()
    {
        // Act
        var commands = Syntax("bash <<EOF\nrm -rf /x\necho $(id)\nEOF\nls");

        // Assert
        Assert.Equal(["bash", "id", "ls"], commands.Select(c => c.Words[0].Value));
        var body = Assert.Single(commands[0].Redirections).HereDocument;
        Assert.Equal("rm -rf /x\necho $(id)\n", body);
        Assert.Same(commands[0], commands[1].Parent);
    }

    [Fact]
    public void Reserved_words_are_dropped_and_function_definitions_recorded()
    {
        // Act
        var state = new ShellParseState("deploy() { if true; then rm x; fi; }");
        ShellParser.ParseLine(state, expandNested: false);

        // Assert
        Assert.Equal(["deploy"], state.Functions);
        Assert.Equal(["true", "rm"], state.Commands.Select(c => c.Words[0].Value));
    }

    private static List<ShellCommandBuilder> Syntax(string line)
    {
        var state = new ShellParseState(line);
        ShellParser.ParseLine(state, expandNested: false);
        Assert.Empty(state.Problems);
        return state.Commands;
    }
}
