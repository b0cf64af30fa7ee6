using System.Runtime.InteropServices;

namespace Tether.Watch.Tests;

/// <summary>
/// <c>--recovery-exec</c> and <c>--recovery-exec-file</c>: a line split into words like a shell splits it, with no
/// expansion whatsoever, and a command file only the watcher's own user can have written.
/// </summary>
public sealed partial class RecoveryCommandSpecs : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("tether-recovery-specs-");

    /// <summary>Command lines and the words they split into.</summary>
    public static TheoryData<string, string[]> Splits { get; } = new()
    {
        { "restart-agent", ["restart-agent"] },
        { "kill -TERM {pid}", ["kill", "-TERM", "{pid}"] },
        { "  a   b  ", ["a", "b"] },
        { "a\tb\t\tc", ["a", "b", "c"] },
        { "'a b' c", ["a b", "c"] },
        { "\"a b\" c", ["a b", "c"] },
        { "'a'\"b\"c", ["abc"] },
        { "a'b'c", ["abc"] },
        { "prog ''", ["prog", ""] },
        { "prog \"\" x", ["prog", "", "x"] },
        { "a\\ b", ["a b"] },
        { "\\a\\b\\\\", ["ab\\"] },
        { "\\'x \\\"y", ["'x", "\"y"] },
        { "'it'\\''s'", ["it's"] },
        { "'\\n \\\\'", ["\\n \\\\"] },
        { "'$HOME' $HOME \"$HOME\"", ["$HOME", "$HOME", "$HOME"] },
        { "\"\\$HOME\"", ["$HOME"] },
        { "\"a\\\"b\"", ["a\"b"] },
        { "\"a\\\\b\"", ["a\\b"] },
        { "\"a\\`b\"", ["a`b"] },
        { "\"a\\nb\" \"a\\'b\"", ["a\\nb", "a\\'b"] },
        { "\"one\\\ntwo\"", ["onetwo"] },
        { "a\\\nb", ["ab"] },
        { "a \\\n b", ["a", "b"] },
        { "\"two\nlines\" 'and\nthese'", ["two\nlines", "and\nthese"] },
        { "~/bin/recover *.log [ab]?", ["~/bin/recover", "*.log", "[ab]?"] },
        { "a;b|c&d<e>f", ["a;b|c&d<e>f"] },
        { "a ; b && c | d > e", ["a", ";", "b", "&&", "c", "|", "d", ">", "e"] },
        { "`id` $(id) ${PATH}", ["`id`", "$(id)", "${PATH}"] },
        { "a#b #c", ["a#b", "#c"] },
        { "signal --pid={pid} pre{pid}post", ["signal", "--pid={pid}", "pre{pid}post"] },
        { "'{pid}' \"{pid}\"", ["{pid}", "{pid}"] },
        { "ünï ✓ 'naïve café' 日本語", ["ünï", "✓", "naïve café", "日本語"] },
        { "\"'\" '\"'", ["'", "\""] },
        { "x\u00A0y", ["x\u00A0y"] },
        { "/usr/bin/env  -i  'A=1 2'", ["/usr/bin/env", "-i", "A=1 2"] },
    };

    /// <summary>Malformed command lines, what is wrong and where.</summary>
    public static TheoryData<string, RecoveryCommandError, int> Errors { get; } = new()
    {
        { "", RecoveryCommandError.Empty, 0 },
        { "   \t ", RecoveryCommandError.Empty, 0 },
        { "\\\n", RecoveryCommandError.Empty, 0 },
        { "'' arg", RecoveryCommandError.EmptyProgram, 0 },
        { "  \"\" arg", RecoveryCommandError.EmptyProgram, 2 },
        { "echo 'abc", RecoveryCommandError.UnterminatedSingleQuote, 5 },
        { "echo ok 'a'b'c", RecoveryCommandError.UnterminatedSingleQuote, 12 },
        { "echo \"abc", RecoveryCommandError.UnterminatedDoubleQuote, 5 },
        { "echo \"abc\\\"", RecoveryCommandError.UnterminatedDoubleQuote, 5 },
        { "echo abc\\", RecoveryCommandError.TrailingBackslash, 8 },
        { "a\nb", RecoveryCommandError.LineBreak, 1 },
        { "a\r\nb", RecoveryCommandError.LineBreak, 1 },
        { "a b\0c", RecoveryCommandError.NulCharacter, 3 },
        { "'a\0'", RecoveryCommandError.NulCharacter, 2 },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void A_command_line_splits_into_words_like_a_shell_splits_it_without_any_expansion(string line, string[] words)
    {
        var command = RecoveryCommand.Parse(line);

        Assert.Equal(words, command.Words.ToArray());
        Assert.Equal(words[0], command.Program);
        Assert.Equal(words[1..], command.Arguments.ToArray());
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_malformed_command_line_is_refused_with_what_is_wrong_and_where(string line, RecoveryCommandError error, int index)
    {
        var exception = Assert.Throws<RecoveryCommandFormatException>(() => RecoveryCommand.Parse(line));

        Assert.Equal(error, exception.Error);
        Assert.Equal(index, exception.Index);
        Assert.IsAssignableFrom<FormatException>(exception);
        Assert.DoesNotContain('\n', exception.Message);
        if (error != RecoveryCommandError.Empty)
        {
            Assert.Contains($"index {index}", exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void The_template_shown_by_ToString_parses_back_to_the_same_words(string line, string[] words)
    {
        _ = words;
        var command = RecoveryCommand.Parse(line);
        if (command.Words.Any(w => w.Any(char.IsControl)))
        {
            return; // control characters are shown escaped, for display only
        }

        Assert.Equal(command.Words.ToArray(), RecoveryCommand.Parse(command.ToString()).Words.ToArray());
    }

    [Fact]
    public void ToString_shows_the_template_quoting_only_what_needs_it()
    {
        Assert.Equal("kill -TERM {pid}", RecoveryCommand.Parse("kill -TERM {pid}").ToString());
        Assert.Equal("notify 'a b' 'it'\\''s' ''", RecoveryCommand.Parse("notify \"a b\" \"it's\" ''").ToString());
    }

    [Fact]
    public void Every_pid_placeholder_is_replaced_in_every_word_the_program_included()
    {
        // Arrange
        var command = RecoveryCommand.Parse("/opt/agents/{pid}/recover --pid={pid} {pid}{pid} x{pid}y {PID} plain");

        // Act
        var argv = command.Argv(4242);

        // Assert
        Assert.Equal(["/opt/agents/4242/recover", "--pid=4242", "42424242", "x4242y", "{PID}", "plain"], argv.ToArray());
        Assert.Equal("/opt/agents/{pid}/recover", command.Program);
        Assert.True(command.UsesPid);
        Assert.False(RecoveryCommand.Parse("systemctl restart agent").UsesPid);
        Assert.Throws<ArgumentOutOfRangeException>(() => command.Argv(0));
    }

    [Fact]
    public void A_command_file_with_comments_and_blank_lines_gives_its_one_command_line()
    {
        // Arrange
        var path = Write("recover.cmd", "# restart the agent the watcher found stalled\n\n   # indented comment\n  /usr/local/bin/recover --pid={pid} 'two words'  \r\n\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        // Act
        var command = RecoveryCommand.FromFile(path);

        // Assert
        Assert.Equal(["/usr/local/bin/recover", "--pid={pid}", "two words"], command.Words.ToArray());
    }

    [Fact]
    public void A_command_file_readable_by_all_but_writable_only_by_its_owner_is_accepted_byte_order_mark_and_all()
    {
        var path = Write("recover.cmd", "\uFEFFrecover {pid}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Equal(["recover", "{pid}"], RecoveryCommand.FromFile(path).Words.ToArray());
    }

    [Fact]
    public void A_symbolic_link_is_refused_even_to_a_good_command_file()
    {
        // Arrange
        var target = Write("target.cmd", "recover {pid}", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var link = Path.Combine(_directory.FullName, "link.cmd");
        File.CreateSymbolicLink(link, target);

        // Act
        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(link));

        // Assert
        Assert.Equal(RecoveryFileRefusal.SymbolicLink, refused.Refusal);
        Assert.Contains("symbolic link", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_writable_command_file_is_refused()
    {
        var path = Write("recover.cmd", "recover {pid}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite);

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryFileRefusal.GroupWritable, refused.Refusal);
        Assert.Contains("group-writable (mode 0620)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_world_writable_command_file_is_refused()
    {
        var path = Write("recover.cmd", "recover {pid}", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryFileRefusal.WorldWritable, refused.Refusal);
        Assert.Contains("world-writable (mode 0602)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_file_owned_by_another_user_is_refused()
    {
        // Arrange: as root, give a file of ours away; otherwise a root-owned system file is someone else's already.
        string path;
        if (geteuid() == 0)
        {
            path = Write("recover.cmd", "recover {pid}", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            Assert.Equal(0, chown(path, 65534, 65534));
        }
        else
        {
            path = "/etc/passwd";
        }

        // Act
        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        // Assert
        Assert.Equal(RecoveryFileRefusal.WrongOwner, refused.Refusal);
        Assert.Contains($"not by uid {geteuid()}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_command_file_is_refused()
    {
        var path = Path.Combine(_directory.FullName, "nowhere", "recover.cmd");

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryFileRefusal.Missing, refused.Refusal);
        Assert.Equal($"Recovery command file '{path}' does not exist; check the path.", refused.Message);
    }

    [Fact]
    public void A_directory_is_not_a_command_file()
    {
        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(_directory.FullName));

        Assert.Equal(RecoveryFileRefusal.NotRegularFile, refused.Refusal);
        Assert.Contains("is a directory", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_FIFO_is_refused_without_being_opened()
    {
        // Opening a FIFO for reading would wait for a writer: the refusal must come before any open.
        var path = Path.Combine(_directory.FullName, "recover.fifo");
        Assert.Equal(0, mkfifo(path, 0b110_000_000));

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryFileRefusal.NotRegularFile, refused.Refusal);
        Assert.Contains("is a FIFO", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", RecoveryFileRefusal.Empty)]
    [InlineData(" \n\t\n", RecoveryFileRefusal.Empty)]
    [InlineData("# only a comment\n\n#another\n", RecoveryFileRefusal.NoCommand)]
    [InlineData("recover {pid}\n# fine\nrecover again\n", RecoveryFileRefusal.MultipleCommands)]
    public void A_command_file_without_exactly_one_command_line_is_refused(string content, RecoveryFileRefusal refusal)
    {
        var path = Write("recover.cmd", content, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(refusal, refused.Refusal);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    public void Two_command_lines_are_refused_naming_both_lines()
    {
        var path = Write("recover.cmd", "# header\nfirst {pid}\n\nsecond {pid}\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Contains("(lines 2 and 4)", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_file_larger_than_the_cap_is_refused()
    {
        var path = Write("recover.cmd", "recover " + new string('x', RecoveryCommand.MaxFileBytes), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var refused = Assert.Throws<RecoveryFileRefusedException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryFileRefusal.TooLarge, refused.Refusal);
    }

    [Fact]
    public void A_malformed_command_line_in_a_file_is_reported_with_the_file_and_the_line()
    {
        var path = Write("recover.cmd", "# comment\n\nrecover 'unclosed\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var exception = Assert.Throws<RecoveryCommandFormatException>(() => RecoveryCommand.FromFile(path));

        Assert.Equal(RecoveryCommandError.UnterminatedSingleQuote, exception.Error);
        Assert.Equal(8, exception.Index);
        Assert.Equal(path, exception.File);
        Assert.Equal(3, exception.Line);
        Assert.StartsWith($"Recovery command file '{path}' line 3: the single quote at index 8", exception.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private string Write(string name, string content, UnixFileMode mode)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkfifo(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);
}
