namespace Tether.Sessions.Tests;

/// <summary>Totals over sessions (what 'tether rec stats' prints): commands, failures, time and the most used programs.</summary>
public sealed class SessionStatisticsSpecs
{
    [Fact]
    public void Sessions_and_commands_are_counted_across_every_session()
    {
        var stats = SessionStatistics.Of([Session("a", Ran("ls"), Ran("pwd")), Session("b", Ran("ls")), Session("empty")]);

        Assert.Equal(3, stats.Sessions);
        Assert.Equal(3, stats.Commands);
    }

    [Fact]
    public void A_command_failed_when_it_exited_non_zero_and_one_without_an_exit_code_did_not()
    {
        var stats = SessionStatistics.Of([Session("a", Ran("true", exit: 0), Ran("false", exit: 1), Ran("kill -9 $$", exit: 137), Ran("history", exit: null))]);

        Assert.Equal(2, stats.Failed);
    }

    [Fact]
    public void The_duration_is_the_sum_of_the_commands_durations_and_an_unknown_one_adds_nothing()
    {
        var stats = SessionStatistics.Of(
        [
            Session("a", Ran("make", duration: TimeSpan.FromSeconds(90)), Ran("ls", duration: null)),
            Session("b", Ran("make test", duration: TimeSpan.FromMilliseconds(1500))),
        ]);

        Assert.Equal(TimeSpan.FromSeconds(91.5), stats.Duration);
    }

    [Fact]
    public void Programs_are_first_words_most_used_first_then_by_name_and_blank_lines_are_not_programs()
    {
        var stats = SessionStatistics.Of([Session("a", Ran("git pull"), Ran("make"), Ran("  git   push origin"), Ran("cd /srv"), Ran("   "), Ran("make test"), Ran("\tgit status"))]);

        Assert.Equal<ProgramUsage>([new ProgramUsage("git", 3), new ProgramUsage("make", 2), new ProgramUsage("cd", 1)], stats.Programs);
    }

    [Fact]
    public void At_most_the_top_programs_are_listed_ten_by_default()
    {
        var commands = Enumerable.Range(0, 12).Select(i => Ran($"tool{i:00} --flag")).ToArray();

        var byDefault = SessionStatistics.Of([Session("a", commands)]);
        var topThree = SessionStatistics.Of([Session("a", commands)], topPrograms: 3);

        Assert.Equal(10, byDefault.Programs.Length);
        Assert.Equal("tool00", byDefault.Programs[0].Program);
        Assert.Equal(["tool00", "tool01", "tool02"], topThree.Programs.Select(p => p.Program));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionStatistics.Of([], topPrograms: -1));
    }

    [Fact]
    public void No_sessions_count_to_zero()
    {
        var stats = SessionStatistics.Of([]);

        Assert.Equal((0, 0, 0, TimeSpan.Zero), (stats.Sessions, stats.Commands, stats.Failed, stats.Duration));
        Assert.Empty(stats.Programs);
    }

    private static (string Command, int? Exit, TimeSpan? Duration) Ran(string command, int? exit = 0, TimeSpan? duration = null) => (command, exit, duration);

    private static Session Session(string name, params (string Command, int? Exit, TimeSpan? Duration)[] commands) => new()
    {
        Header = new SessionHeader { Id = name + "-id", Name = name, Started = DateTimeOffset.UnixEpoch },
        Commands =
        [
            .. commands.Select((c, i) => new RecordedCommand
            {
                Index = i,
                Command = c.Command,
                Cwd = "/",
                Started = DateTimeOffset.UnixEpoch,
                ExitCode = c.Exit,
                Duration = c.Duration,
            }),
        ],
    };
}
