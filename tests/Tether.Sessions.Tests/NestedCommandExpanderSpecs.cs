namespace Tether.Sessions.Tests;

/// <summary>
/// The pass that knows what programs run, on its own: given commands as the parser read them (syntax only), it takes
/// off the prefixes and yields the scripts and commands each one runs, with where they came from in the line.
/// </summary>
public sealed class NestedCommandExpanderSpecs
{
    [Fact]
    public void Prefixes_are_taken_off_so_that_the_program_is_known()
    {
        // Arrange
        var (_, commands) = Syntax("FOO=1 sudo -u root nohup rm -rf /x");

        // Act
        NestedCommandExpander.TakeOffPrefixes(commands[0]);

        // Assert
        Assert.Equal<string>(["rm", "-rf", "/x"], commands[0].EffectiveWords);
        Assert.Equal<string>(["FOO=1", "sudo", "-u", "root", "nohup"], commands[0].PrefixWords);
        Assert.Equal<string>(["sudo", "nohup"], commands[0].Wrappers);
    }

    [Theory]
    [InlineData("bash -c 'rm -rf /x'")]
    [InlineData("sudo bash -lc 'rm -rf /x'")]
    [InlineData("sh -o pipefail -c 'rm -rf /x'")]
    [InlineData("fish --command='rm -rf /x'")]
    [InlineData("su root -c 'rm -rf /x'")]
    [InlineData("eval rm -rf /x")]
    [InlineData("sh <<< 'rm -rf /x'")]
    public void The_script_a_command_hands_to_a_shell_is_yielded_with_its_place_in_the_line(string line)
    {
        // Arrange
        var (state, commands) = Syntax(line);
        var shell = commands[0];
        NestedCommandExpander.TakeOffPrefixes(shell);

        // Act
        var script = Assert.Single(NestedCommandExpander.Scripts(shell, state));

        // Assert
        Assert.Equal("rm -rf /x", script.Text);
        Assert.Same(shell, script.Runner);
        Assert.Equal(line.IndexOf("rm", StringComparison.Ordinal), script.Origin[0]);
        Assert.Equal(script.Text.Length, script.Origin.Count);
    }

    [Fact]
    public void What_echo_prints_into_a_shell_is_the_shells_script()
    {
        // Arrange
        var (state, commands) = Syntax("echo -n 'rm -rf /x' | sudo sh");
        commands.ForEach(NestedCommandExpander.TakeOffPrefixes);

        // Act
        var fromEcho = NestedCommandExpander.Scripts(commands[0], state);
        var fromShell = Assert.Single(NestedCommandExpander.Scripts(commands[1], state));

        // Assert
        Assert.Empty(fromEcho);
        Assert.Equal("rm -rf /x", fromShell.Text);
        Assert.Same(commands[1], fromShell.Runner);
    }

    [Theory]
    [InlineData("bash x.sh")]
    [InlineData("bash -c")]
    [InlineData("ls -la 'rm -rf /x'")]
    [InlineData("echo 'rm -rf /x' | grep rm")]
    public void A_command_that_hands_no_script_on_yields_none(string line)
    {
        // Arrange
        var (state, commands) = Syntax(line);
        commands.ForEach(NestedCommandExpander.TakeOffPrefixes);

        // Act and assert
        Assert.All(commands, c => Assert.Empty(NestedCommandExpander.Scripts(c, state)));
        Assert.All(commands, c => Assert.Null(NestedCommandExpander.FindActions(c)));
    }

    [Fact]
    public void The_commands_find_runs_are_commands_of_their_own_whose_parent_is_the_find()
    {
        // Arrange
        var (_, commands) = Syntax("find . -name '*.tmp' -exec rm -f {} \\; -execdir shred -u {} + -print");
        var find = Assert.Single(commands);
        NestedCommandExpander.TakeOffPrefixes(find);

        // Act
        var actions = NestedCommandExpander.FindActions(find);

        // Assert
        Assert.NotNull(actions);
        Assert.Equal(2, actions.Count);
        Assert.Equal(["rm", "-f", "{}"], actions[0].Words.Select(w => w.Value));
        Assert.Equal(["shred", "-u", "{}"], actions[1].Words.Select(w => w.Value));
        Assert.All(actions, a => Assert.Same(find, a.Parent));
    }

    [Fact]
    public void A_find_without_actions_runs_nothing()
    {
        // Arrange
        var (_, commands) = Syntax("find . -name x -delete");
        NestedCommandExpander.TakeOffPrefixes(commands[0]);

        // Act and assert
        Assert.Empty(NestedCommandExpander.FindActions(commands[0])!);
    }

    [Theory]
    [InlineData("bash <<EOF\nrm -rf /x\nEOF", 0)]
    [InlineData("cat <<'EOF' | sh\nrm -rf /x\nEOF", 1)]
    public void A_here_document_a_shell_reads_is_that_shells_script(string line, int shellIndex)
    {
        // Arrange
        var (state, commands) = Syntax(line);
        commands.ForEach(NestedCommandExpander.TakeOffPrefixes);
        var body = Assert.Single(commands[0].Redirections).HereDocument!;
        var origin = Enumerable.Range(line.IndexOf('\n', StringComparison.Ordinal) + 1, body.Length).ToArray();

        // Act
        var script = NestedCommandExpander.HereDocumentScript(commands[0], body, origin, state);

        // Assert
        Assert.NotNull(script);
        Assert.Equal("rm -rf /x\n", script.Value.Text);
        Assert.Same(commands[shellIndex], script.Value.Runner);
    }

    [Fact]
    public void A_here_document_no_shell_reads_is_no_script()
    {
        // Arrange
        var (state, commands) = Syntax("cat <<EOF | grep x\nrm -rf /x\nEOF");
        commands.ForEach(NestedCommandExpander.TakeOffPrefixes);
        var body = commands[0].Redirections[0].HereDocument!;

        // Act and assert
        Assert.Null(NestedCommandExpander.HereDocumentScript(commands[0], body, new int[body.Length], state));
    }

    private static (ShellParseState State, List<ShellCommandBuilder> Commands) Syntax(string line)
    {
        var state = new ShellParseState(line);
        ShellParser.ParseLine(state, expandNested: false);
        return (state, state.Commands);
    }
}
