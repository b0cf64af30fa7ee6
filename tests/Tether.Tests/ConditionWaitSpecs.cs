using Tether.Internal;

namespace Tether.Tests;

/// <summary>
/// The wait behind a cgroup teardown (for the leaf to empty, then for its directory to go) runs on the run's
/// <see cref="TimeProvider"/>: these specs drive it with a virtual clock.
/// </summary>
public sealed class ConditionWaitSpecs
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_condition_that_already_holds_ends_the_wait_at_once()
    {
        var clock = VirtualClock.Create();

        var waiting = ConditionWait.UntilAsync(() => true, Limit, clock);

        Assert.True(waiting.IsCompleted);
        Assert.True(await waiting);
        Assert.Equal(TimeSpan.Zero, clock.Elapsed());
    }

    [Fact]
    public async Task The_condition_is_checked_again_only_when_the_clock_moves()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var checks = 0;

        // Act: real time passes, virtual time does not.
        var waiting = ConditionWait.UntilAsync(() => Interlocked.Increment(ref checks) > 1, Limit, clock);
        await Task.Delay(200);

        // Assert
        Assert.Equal(1, Volatile.Read(ref checks));
        Assert.False(waiting.IsCompleted);
        Assert.True(await clock.AdvanceUntilAsync(waiting, ConditionWait.LongestPause));
        Assert.Equal(2, Volatile.Read(ref checks));
    }

    [Fact]
    public async Task The_wait_ends_when_the_condition_comes_to_hold_before_the_limit()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var checks = 0;

        // Act
        var held = await clock.AdvanceUntilAsync(
            ConditionWait.UntilAsync(() => Interlocked.Increment(ref checks) >= 3, Limit, clock), ConditionWait.LongestPause);

        // Assert
        Assert.True(held);
        Assert.Equal(3, checks);
        Assert.True(clock.Elapsed() < Limit);
    }

    [Fact]
    public async Task The_wait_gives_up_once_the_limit_has_passed_on_the_clock()
    {
        // Arrange
        var clock = VirtualClock.Create();
        var checks = 0;
        var lastCheckAt = TimeSpan.Zero;

        // Act
        var held = await clock.AdvanceUntilAsync(
            ConditionWait.UntilAsync(
                () =>
                {
                    checks++;
                    lastCheckAt = clock.Elapsed();
                    return false;
                },
                Limit,
                clock),
            TimeSpan.FromMilliseconds(100));

        // Assert: it kept checking until the limit, then reported that the condition never held.
        Assert.False(held);
        Assert.True(checks > 2, $"checked {checks} times");
        Assert.True(lastCheckAt >= Limit - ConditionWait.LongestPause, $"last checked at {lastCheckAt}");
        Assert.True(clock.Elapsed() >= Limit);
    }
}
