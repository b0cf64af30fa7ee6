using System.Globalization;
using System.Text;
using Tether.ProcFs;

namespace Tether.Watch.Tests;

public sealed class ProcessFactsSpecs
{
    [Theory]
    [InlineData("1234 (watch) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321 12345 678 18446744073709551615\n")]
    [InlineData("1234 (a b) c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321 12345 678\n")]
    [InlineData("1234 (x) 1 2 3 (y) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321 12345 678\n")]
    [InlineData("1234 ()) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321")]
    public void The_start_time_is_field_22_counted_from_the_last_parenthesis_of_the_command_name(string stat)
    {
        Assert.Equal(987654321UL, ProcStat.Parse(Encoding.UTF8.GetBytes(stat))?.StartTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1234 watch S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654321 12345\n")]
    [InlineData("1234 (watch) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0\n")]
    [InlineData("1234 (watch) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765x321 12345\n")]
    [InlineData("1234 (watch) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0  12345\n")]
    public void A_malformed_stat_line_has_no_start_time(string stat)
    {
        Assert.Null(ProcStat.Parse(Encoding.UTF8.GetBytes(stat))?.StartTime);
    }

    [Fact]
    public async Task A_process_started_later_has_a_later_or_equal_start_time_that_does_not_change()
    {
        await using var child = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        var ours = ProcessFacts.StartTime(Environment.ProcessId);
        var theirs = ProcessFacts.StartTime(child.Pid);

        Assert.NotNull(ours);
        Assert.NotNull(theirs);
        Assert.True(theirs >= ours, $"child {theirs}, this process {ours}");
        Assert.Equal(theirs, ProcessFacts.StartTime(child.Pid));
    }

    [Fact]
    public async Task A_process_that_has_exited_has_no_start_time_and_no_namespace()
    {
        int pid;
        await using (var child = await ProcessRunner.Default.StartAsync(Shell.Command("exit 0")))
        {
            pid = child.Pid;
            await child.WaitAsync().Soon();
        }

        Assert.Null(ProcessFacts.StartTime(pid));
        Assert.Null(ProcessFacts.PidNamespace(pid));
        Assert.Null(ProcessFacts.SameNamespace(pid));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)] // above any pid_max
    public void A_pid_no_process_can_have_has_no_facts(int pid)
    {
        Assert.Null(ProcessFacts.StartTime(pid));
        Assert.Null(ProcessFacts.PidNamespace(pid));
        Assert.Null(ProcessFacts.SameNamespace(pid));
    }

    [Fact]
    public void The_pid_namespace_is_the_inode_the_namespace_link_names()
    {
        var text = new FileInfo($"/proc/{Environment.ProcessId}/ns/pid").LinkTarget; // "pid:[4026531836]"

        Assert.NotNull(text);
        Assert.StartsWith("pid:[", text, StringComparison.Ordinal);
        Assert.Equal(ulong.Parse(text["pid:[".Length..^1], CultureInfo.InvariantCulture), ProcessFacts.PidNamespace(Environment.ProcessId));
    }

    [Fact]
    public async Task This_process_and_its_children_share_its_namespace()
    {
        await using var child = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        Assert.True(ProcessFacts.SameNamespace(Environment.ProcessId));
        Assert.True(ProcessFacts.SameNamespace(child.Pid));
        Assert.Equal(ProcessFacts.PidNamespace(Environment.ProcessId), ProcessFacts.PidNamespace(child.Pid));
    }

    [Theory]
    [InlineData("Name:\tsleep\nTgid:\t77\nNSpid:\t77\nNSpgid:\t77\n", 1)]
    [InlineData("Name:\tsleep\nNSpid:\t4242\t17\t1\n", 3)]
    [InlineData("NSpid: 4242 1", 2)]
    public void The_NSpid_line_counts_the_namespaces_a_process_is_seen_in(string status, int depth)
    {
        Assert.Equal(depth, ProcessFacts.ParseNamespaceDepth(status));
    }

    [Theory]
    [InlineData("Name:\tsleep\nPid:\t77\n")]
    [InlineData("NSpid:\n")]
    [InlineData("NSpid:\t77\tx\n")]
    public void A_status_without_a_usable_NSpid_line_has_no_depth(string status)
    {
        Assert.Null(ProcessFacts.ParseNamespaceDepth(status));
    }
}
