namespace Tether.Watch.Tests;

public sealed class LiveProcessFactsSpecs
{
    [Fact]
    public async Task A_live_process_is_kept_with_the_facts_proc_gives()
    {
        using var facts = new LiveProcessFacts();
        await using var child = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600"));

        var startTime = facts.StartTime(child.Pid);

        Assert.NotNull(startTime);
        Assert.Equal(ProcessFacts.StartTime(child.Pid), startTime);
        Assert.Equal(ProcessFacts.SameNamespace(child.Pid), facts.SameNamespace(child.Pid));
        Assert.Equal(1, facts.Count);
        Assert.Equal(startTime, facts.StartTime(child.Pid));
        Assert.Equal(1, facts.Count);
    }

    [Fact]
    public async Task Once_a_kept_process_has_exited_its_pid_is_read_afresh_and_no_longer_kept()
    {
        using var facts = new LiveProcessFacts();
        int pid;
        await using (var child = await ProcessRunner.Default.StartAsync(Shell.Command("exec sleep 600")))
        {
            pid = child.Pid;
            Assert.NotNull(facts.StartTime(pid));
            Assert.True(facts.SameNamespace(pid));
            await child.SignalAsync(Signal.Kill);
            await child.WaitAsync().Soon();
        }

        // What /proc says now (no such process, or whoever has the pid since), never the exited process's facts.
        Assert.Equal(ProcessFacts.StartTime(pid), facts.StartTime(pid));
        Assert.Equal(ProcessFacts.SameNamespace(pid), facts.SameNamespace(pid));
        Assert.Equal(0, facts.Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void A_pid_without_a_process_to_hold_has_what_proc_says_and_is_not_kept(int pid)
    {
        using var facts = new LiveProcessFacts();

        Assert.Equal(ProcessFacts.StartTime(pid), facts.StartTime(pid));
        Assert.Equal(ProcessFacts.SameNamespace(pid), facts.SameNamespace(pid));
        Assert.Equal(0, facts.Count);
    }

    [Fact]
    public void A_thread_id_is_read_each_time_since_no_pidfd_holds_a_thread()
    {
        using var facts = new LiveProcessFacts();
        using var parked = new ManualResetEventSlim();
        var tid = 0;
        var thread = new Thread(() =>
        {
            Volatile.Write(ref tid, int.Parse(new DirectoryInfo("/proc/thread-self").ResolveLinkTarget(returnFinalTarget: false)!.Name, System.Globalization.CultureInfo.InvariantCulture));
            parked.Wait();
        });
        thread.Start();
        try
        {
            SpinWait.SpinUntil(() => Volatile.Read(ref tid) != 0, TimeSpan.FromSeconds(30));
            Assert.NotEqual(0, tid);
            Assert.NotEqual(Environment.ProcessId, tid);

            Assert.Equal(ProcessFacts.StartTime(tid), facts.StartTime(tid));
            Assert.NotNull(facts.StartTime(tid));
            Assert.Equal(0, facts.Count);
        }
        finally
        {
            parked.Set();
            thread.Join();
        }
    }
}
