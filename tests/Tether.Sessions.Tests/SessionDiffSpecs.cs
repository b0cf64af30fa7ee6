namespace Tether.Sessions.Tests;

/// <summary>Two sessions' command lines lined up by a longest common subsequence (what 'tether rec diff' prints).</summary>
public sealed class SessionDiffSpecs
{
    [Fact]
    public void Identical_sessions_have_every_line_in_common()
    {
        var diff = SessionDiff.Compare(["git pull", "make", "make test"], ["git pull", "make", "make test"]);

        Assert.Equal<DiffLine>([Both("git pull"), Both("make"), Both("make test")], diff.Lines);
        Assert.Equal((0, 0, 3), (diff.OnlyA, diff.OnlyB, diff.Common));
    }

    [Fact]
    public void A_line_inserted_in_B_is_only_in_B_at_its_place()
    {
        var diff = SessionDiff.Compare(["git pull", "make"], ["git pull", "npm ci", "make"]);

        Assert.Equal<DiffLine>([Both("git pull"), OnlyB("npm ci"), Both("make")], diff.Lines);
        Assert.Equal((0, 1, 2), (diff.OnlyA, diff.OnlyB, diff.Common));
    }

    [Fact]
    public void A_line_deleted_from_B_is_only_in_A_at_its_place()
    {
        var diff = SessionDiff.Compare(["git pull", "npm ci", "make"], ["git pull", "make"]);

        Assert.Equal<DiffLine>([Both("git pull"), OnlyA("npm ci"), Both("make")], diff.Lines);
        Assert.Equal((1, 0, 2), (diff.OnlyA, diff.OnlyB, diff.Common));
    }

    [Fact]
    public void A_changed_line_is_A_s_version_then_B_s()
    {
        var diff = SessionDiff.Compare(["cd app", "make -j2", "make install"], ["cd app", "make -j8", "make install"]);

        Assert.Equal<DiffLine>([Both("cd app"), OnlyA("make -j2"), OnlyB("make -j8"), Both("make install")], diff.Lines);
        Assert.Equal((1, 1, 2), (diff.OnlyA, diff.OnlyB, diff.Common));
    }

    [Fact]
    public void Lines_are_compared_by_exact_text()
    {
        var diff = SessionDiff.Compare(["Make", "make "], ["make", "make "]);

        Assert.Equal<DiffLine>([OnlyA("Make"), OnlyB("make"), Both("make ")], diff.Lines);
    }

    [Fact]
    public void An_empty_side_makes_every_line_of_the_other_its_own()
    {
        var onlyA = SessionDiff.Compare(["ls", "pwd"], []);
        var onlyB = SessionDiff.Compare([], ["ls", "pwd"]);
        var neither = SessionDiff.Compare([], []);

        Assert.Equal<DiffLine>([OnlyA("ls"), OnlyA("pwd")], onlyA.Lines);
        Assert.Equal((2, 0, 0), (onlyA.OnlyA, onlyA.OnlyB, onlyA.Common));
        Assert.Equal<DiffLine>([OnlyB("ls"), OnlyB("pwd")], onlyB.Lines);
        Assert.Equal((0, 2, 0), (onlyB.OnlyA, onlyB.OnlyB, onlyB.Common));
        Assert.Empty(neither.Lines);
        Assert.Equal((0, 0, 0), (neither.OnlyA, neither.OnlyB, neither.Common));
    }

    [Fact]
    public void The_longest_common_run_wins_over_an_early_match()
    {
        // Matching A's first "b" to B's last line would leave only one line in common; the LCS keeps three.
        var diff = SessionDiff.Compare(["b", "x", "y", "z"], ["x", "y", "z", "b"]);

        Assert.Equal<DiffLine>([OnlyA("b"), Both("x"), Both("y"), Both("z"), OnlyB("b")], diff.Lines);
        Assert.Equal(3, diff.Common);
    }

    [Fact]
    public void Sessions_are_compared_by_their_command_lines_only()
    {
        var a = Recorded("monday", ("git pull", "/srv/a", 0), ("make", "/srv/a", 0));
        var b = Recorded("friday", ("git pull", "/srv/b", 1), ("make deploy", "/srv/b", 0));

        var diff = SessionDiff.Compare(a, b);

        Assert.Equal<DiffLine>([Both("git pull"), OnlyA("make"), OnlyB("make deploy")], diff.Lines);
    }

    private static DiffLine Both(string command) => new(DiffSide.Both, command);

    private static DiffLine OnlyA(string command) => new(DiffSide.OnlyA, command);

    private static DiffLine OnlyB(string command) => new(DiffSide.OnlyB, command);

    private static Session Recorded(string name, params (string Command, string Cwd, int ExitCode)[] commands) => new()
    {
        Header = new SessionHeader { Id = name + "-id", Name = name, Started = DateTimeOffset.UnixEpoch },
        Commands =
        [
            .. commands.Select((c, i) => new RecordedCommand
            {
                Index = i,
                Command = c.Command,
                Cwd = c.Cwd,
                Started = DateTimeOffset.UnixEpoch.AddMinutes(i),
                ExitCode = c.ExitCode,
            }),
        ],
    };
}
