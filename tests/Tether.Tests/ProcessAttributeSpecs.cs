namespace Tether.Tests;

/// <summary>Credentials, umask, session and priorities: the child has them from its first instruction.</summary>
public sealed class ProcessAttributeSpecs
{
    // Fields of /proc/self/stat as the shell itself sees them ($1 pid, $5 process group, $6 session, $19 niceness).
    private const string OwnStat = "read -r s < /proc/self/stat; set -- $s; ";

    [RootFact]
    public async Task I_can_run_a_child_as_another_user_with_its_groups()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("id -u; id -g; id -G").WithUser(65534, 65534, [5, 7]));

        var lines = stdout.Split('\n');
        Assert.Equal("65534", lines[0]);
        Assert.Equal("65534", lines[1]);
        Assert.Equal(["5", "65534", "7"], lines[2].Split(' ').Order(StringComparer.Ordinal));
    }

    [RootFact]
    public async Task A_child_run_as_another_user_has_no_supplementary_groups_unless_asked()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("grep '^Groups:' /proc/self/status").WithUser(65534, 65534));

        Assert.Equal("Groups:", stdout.TrimEnd());
    }

    [RootFact]
    public async Task I_can_name_the_user_to_run_as()
    {
        var user = ProcessUser.FromName("nobody");

        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("id -u").WithUser("nobody"));

        Assert.Equal(user.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), stdout);
        Assert.Contains(user.GroupId, user.SupplementaryGroups);
    }

    [Fact]
    public void An_unknown_user_name_is_refused_when_the_command_is_built()
    {
        var error = Assert.Throws<ArgumentException>(() => Shell.Command("true").WithUser("tether-specs-no-such-user"));

        Assert.Contains("'tether-specs-no-such-user' could not be found", error.Message, StringComparison.Ordinal);
    }

    [RootFact]
    public async Task Asking_for_another_user_without_root_is_refused_before_anything_starts()
    {
        // Arrange: a host that is not root asks to run a child as root.
        var host = Dummy.Command("run-as-user", "0", "0").WithUser(65534, 65534).WithWorkingDirectory("/");

        // Act
        var stdout = await ProcessRunner.Default.RunAsync(host);

        // Assert
        Assert.Equal("refused 1 running it as uid 0, gid 0 needs root, but this process runs as uid 65534", stdout);
    }

    [RootFact]
    public async Task Attributes_only_root_may_give_are_refused_with_the_reason_otherwise()
    {
        // Arrange: a host that is not root asks for a lower niceness and an unlimited hard limit.
        var host = Dummy.Command("try-privileged").WithUser(65534, 65534).WithWorkingDirectory("/")
            .WithResourceLimit(ResourceLimit.OpenFiles, 1024);

        // Act
        var stdout = await ProcessRunner.Default.RunAsync(host);

        // Assert
        Assert.Equal(
            "refused 13 setting its niceness to -5 was not permitted (going below this process's niceness needs CAP_SYS_NICE)\n" +
            "refused 1 setting its OpenFiles limit to 18446744073709551615 was not permitted (raising a hard limit needs CAP_SYS_RESOURCE)",
            stdout);
    }

    [Fact]
    public async Task I_can_set_the_childs_umask()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command("umask").WithUmask(0x3F /* 077 */));

        Assert.Equal("0077", stdout);
    }

    [Fact]
    public async Task The_umask_shim_leaks_no_PWD_into_a_cleared_environment()
    {
        var stdout = await ProcessRunner.Default.RunAsync(new Command("/usr/bin/env").WithClearedEnvironment().WithEnvironmentVariable("ONLY", "1").WithUmask(0x12));

        Assert.Equal("ONLY=1", stdout);
    }

    [Fact]
    public async Task I_can_start_the_child_in_a_new_session_and_it_stays_contained()
    {
        // Act
        var inSession = await ProcessRunner.Default.RunAsync(Shell.Command(OwnStat + "echo $1 $5 $6").WithNewSession());
        var plain = await ProcessRunner.Default.RunAsync(Shell.Command(OwnStat + "echo $1 $5 $6"));

        // Assert: pid == process group == session only in the new session.
        var ids = inSession.Split(' ');
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[2]);
        var plainIds = plain.Split(' ');
        Assert.Equal(plainIds[0], plainIds[1]);
        Assert.NotEqual(plainIds[0], plainIds[2]);
    }

    [Fact]
    public async Task A_new_session_is_refused_for_a_pipeline()
    {
        var pipeline = Shell.Command("echo x").WithNewSession() | new Command("cat");

        var error = await Assert.ThrowsAsync<UnsupportedException>(() => ProcessRunner.Default.RunAsync(pipeline));

        Assert.Contains("only a single command can have one", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ContainmentMode.Auto)]
    [InlineData(ContainmentMode.ProcessGroup)]
    public async Task I_can_set_the_childs_niceness(ContainmentMode containment)
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command(OwnStat + "echo ${19}").WithNiceness(7).WithContainment(containment));

        Assert.Equal("7", stdout);
    }

    [RootFact]
    public async Task Root_can_lower_the_childs_niceness()
    {
        var stdout = await ProcessRunner.Default.RunAsync(Shell.Command(OwnStat + "echo ${19}").WithNiceness(-5));

        Assert.Equal("-5", stdout);
    }

    [Fact]
    public async Task I_can_set_the_childs_io_priority()
    {
        var bestEffort = await ProcessRunner.Default.RunAsync(Shell.Command("ionice -p $$").WithIoPriority(IoPriority.BestEffort(6)));
        var idle = await ProcessRunner.Default.RunAsync(Shell.Command("ionice -p $$").WithIoPriority(IoPriority.Idle));

        Assert.Equal("best-effort: prio 6", bestEffort);
        Assert.Equal("idle", idle);
    }

    [Fact]
    public async Task Every_stage_of_a_pipeline_gets_its_own_attributes()
    {
        var pipeline = Shell.Command(OwnStat + "echo ${19}; cat").WithNiceness(3).WithStdin("x\n") | Shell.Command(OwnStat + "cat; echo ${19}").WithNiceness(9);

        var stdout = await ProcessRunner.Default.RunAsync(pipeline);

        Assert.Equal("3\nx\n9", stdout);
    }

    [Fact]
    public void Out_of_range_attributes_are_refused_when_the_command_is_built()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Shell.Command("true").WithNiceness(20));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shell.Command("true").WithUmask(0x200));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoPriority.BestEffort(8));
        Assert.Throws<ArgumentOutOfRangeException>(() => Shell.Command("true").WithUser(-1, 0));
    }
}
