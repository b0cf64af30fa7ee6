using Tether.Testing.Cassettes;

namespace Tether.Testing.Tests;

/// <summary>When a recording reaches the file: explicit saves, disposal, and never after a failed test that asked.</summary>
public sealed class FlushSpecs
{
    private static ScriptedRunner Inner() => new ScriptedRunner().Fallback(Reply.Ok("recorded"));

    [Fact]
    public async Task An_unsaved_recording_is_written_when_the_runner_is_disposed()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("flush.json");

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner()))
        {
            await recorder.RunAsync(new Command("tool")).Soon();
            Assert.False(File.Exists(cassette));
        }

        Assert.Equal("recorded", Assert.Single(Cassette.Load(cassette).Entries).Stdout);
    }

    [Fact]
    public async Task A_synchronous_dispose_flushes_too()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("sync.json");

        using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner()))
        {
            await recorder.RunAsync(new Command("tool")).Soon();
        }

        Assert.Single(Cassette.Load(cassette).Entries);
    }

    [Fact]
    public async Task A_failed_assertion_in_the_flow_that_created_the_runner_keeps_disposal_from_writing()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("failed.json");

        var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner()).DiscardWhenTestFails();
        await using (recorder)
        {
            await recorder.RunAsync(new Command("tool")).Soon();
            try
            {
                Assert.Equal("expected", "actual"); // the test fails here…
            }
            catch (Xunit.Sdk.XunitException)
            {
                // …and the framework would report it; caught only so this spec can look at the file afterwards.
            }
        }

        Assert.False(File.Exists(cassette));
        Assert.Contains("assertion failed", recorder.DiscardReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nunit")]
    [InlineData("mstest")]
    [InlineData("shouldly")]
    public async Task Assertion_failures_of_other_test_frameworks_are_recognised_too(string framework)
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File($"{framework}.json");
        Exception failure = framework switch
        {
            "nunit" => new NUnit.Framework.AssertionException("Expected 1 but was 2"),
            "mstest" => new Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException("Assert.AreEqual failed"),
            _ => new Shouldly.ShouldAssertException("should be 1 but was 2"),
        };

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner()).DiscardWhenTestFails())
        {
            await recorder.RunAsync(new Command("tool")).Soon();
            try
            {
                throw failure;
            }
            catch (Exception ex) when (ex == failure)
            {
            }
        }

        Assert.False(File.Exists(cassette));
    }

    [Fact]
    public async Task An_assertion_failing_in_another_tests_flow_does_not_affect_this_recording()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("isolated.json");

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner()).DiscardWhenTestFails())
        {
            await recorder.RunAsync(new Command("tool")).Soon();
            Task otherTest;
            using (ExecutionContext.SuppressFlow())
            {
                // A flow that did not inherit this spec's context: another test running in parallel.
                otherTest = Task.Run(() =>
                {
                    try
                    {
                        Assert.True(false);
                    }
                    catch (Xunit.Sdk.XunitException)
                    {
                    }
                });
            }

            await otherTest.Soon();
        }

        Assert.True(File.Exists(cassette));
    }

    [Fact]
    public async Task A_runner_that_was_not_asked_to_watch_for_failed_tests_ignores_assertion_failures_and_saves()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("unwatched.json");

        var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner());
        await using (recorder)
        {
            Assert.False(recorder.DiscardsWhenTestFails);
            await recorder.RunAsync(new Command("tool")).Soon();
            try
            {
                Assert.Equal("expected", "actual"); // seen by nothing: no first-chance handler watches this runner
            }
            catch (Xunit.Sdk.XunitException)
            {
            }
        }

        Assert.Null(recorder.DiscardReason);
        Assert.Equal("recorded", Assert.Single(Cassette.Load(cassette).Entries).Stdout);
    }

    [Fact]
    public async Task Asking_to_discard_when_the_test_fails_lasts_until_disposal_and_a_disposed_runner_cannot_ask()
    {
        using var scratch = new ScratchDirectory();
        var recorder = new RecordReplayRunner(scratch.File("asked.json"), CassetteMode.Record, Inner());

        Assert.Same(recorder, recorder.DiscardWhenTestFails().DiscardWhenTestFails());
        Assert.True(recorder.DiscardsWhenTestFails);
        Assert.True(TestFailureDetector.IsInstalled);
        await recorder.DisposeAsync();

        Assert.False(recorder.DiscardsWhenTestFails);
        Assert.Throws<ObjectDisposedException>(() => recorder.DiscardWhenTestFails());
    }

    [Fact]
    public async Task Exceptions_the_code_under_test_handles_do_not_count_as_a_failed_test()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("handled.json");

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, new ScriptedRunner().Fallback(Reply.Fail(2))).DiscardWhenTestFails())
        {
            await Assert.ThrowsAsync<NonZeroExitException>(() => recorder.RunAsync(new Command("tool"))).Soon();
        }

        Assert.Equal(new Outcome.Exited(2), Assert.Single(Cassette.Load(cassette).Entries).Outcome);
    }

    [Fact]
    public async Task Discard_drops_the_unsaved_recording_but_an_explicit_save_still_writes()
    {
        using var scratch = new ScratchDirectory();
        var discarded = scratch.File("discarded.json");
        var saved = scratch.File("saved.json");

        await using (var recorder = new RecordReplayRunner(discarded, CassetteMode.Record, Inner()))
        {
            await recorder.RunAsync(new Command("tool")).Soon();
            recorder.Discard("the test knows it failed");
            Assert.Equal("the test knows it failed", recorder.DiscardReason);
        }

        await using (var recorder = new RecordReplayRunner(saved, CassetteMode.Record, Inner()))
        {
            recorder.Discard();
            await recorder.RunAsync(new Command("tool")).Soon();
            recorder.Save();
        }

        Assert.False(File.Exists(discarded));
        Assert.Single(Cassette.Load(saved).Entries);
    }

    [Fact]
    public async Task UseAsync_saves_when_the_body_completes_and_writes_nothing_when_it_throws()
    {
        using var scratch = new ScratchDirectory();
        var good = scratch.File("good.json");
        var bad = scratch.File("bad.json");

        await RecordReplayRunner.UseAsync(good, CassetteMode.Record, r => r.RunAsync(new Command("tool")), Inner());
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => RecordReplayRunner.UseAsync(bad, CassetteMode.Record, async r =>
        {
            await r.RunAsync(new Command("tool"));
            throw new InvalidDataException("the check after the run failed");
        }, Inner()));

        Assert.Single(Cassette.Load(good).Entries);
        Assert.False(File.Exists(bad));
        Assert.Equal("the check after the run failed", error.Message);
    }

    [Fact]
    public async Task A_failed_test_never_replaces_an_existing_cassette()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("keep.json");
        await RecordReplayRunner.UseAsync(cassette, CassetteMode.Record, r => r.RunAsync(new Command("tool")), Inner());
        var before = await File.ReadAllBytesAsync(cassette);

        await Assert.ThrowsAsync<InvalidOperationException>(() => RecordReplayRunner.UseAsync(cassette, CassetteMode.Record, async r =>
        {
            await r.RunAsync(new Command("other"));
            throw new InvalidOperationException("failed");
        }, new ScriptedRunner().Fallback(Reply.Ok("changed"))));

        Assert.Equal(before, await File.ReadAllBytesAsync(cassette));
    }

    [Fact]
    public async Task Save_async_waits_for_started_processes_to_end_and_records_them()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("started.json");
        var clock = VirtualClock.Create();
        var inner = new ScriptedRunner(clock).On("server", Reply.Lines(["up", "down"], TimeSpan.FromSeconds(1)));

        await using var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner);
        var process = await recorder.StartAsync(new Command("server")).Soon();
        await process.WaitForLineAsync(l => l == "up", Bounds.Eventually).Soon();
        var saving = recorder.SaveAsync();
        await Task.Delay(100);
        Assert.False(saving.IsCompleted);

        clock.Advance(TimeSpan.FromSeconds(1));
        await saving.Soon();
        await process.DisposeAsync();

        Assert.Equal("up\ndown\n", Assert.Single(Cassette.Load(cassette).Entries).Stdout);
    }

    [Fact]
    public async Task A_pure_replay_never_rewrites_its_cassette()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("replay.json");
        await RecordReplayRunner.UseAsync(cassette, CassetteMode.Record, r => r.RunAsync(new Command("tool")), Inner());
        var written = File.GetLastWriteTimeUtc(cassette);
        File.SetLastWriteTimeUtc(cassette, written.AddHours(-1));

        await using (var player = new RecordReplayRunner(cassette, CassetteMode.Replay, new ScriptedRunner()))
        {
            await player.RunAsync(new Command("tool")).Soon();
            player.Save();
        }

        Assert.Equal(written.AddHours(-1), File.GetLastWriteTimeUtc(cassette));
    }

    [Fact]
    public async Task A_runner_disposed_asynchronously_leaves_the_flow_and_later_failures_do_not_touch_it()
    {
        using var scratch = new ScratchDirectory();
        var recorder = new RecordReplayRunner(scratch.File("left.json"), CassetteMode.Record, Inner()).DiscardWhenTestFails();
        await using (recorder)
        {
            await recorder.RunAsync(new Command("tool")).Soon();
        }

        try
        {
            Assert.Fail("a later test step fails");
        }
        catch (Xunit.Sdk.XunitException)
        {
        }

        Assert.Null(recorder.DiscardReason);
        Assert.True(File.Exists(scratch.File("left.json")));
    }

    [Fact]
    public async Task A_run_cut_by_its_output_limit_is_refused_rather_than_recorded_as_complete()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("cut.json");
        var inner = new ScriptedRunner().Fallback(Reply.Ok(new string('x', 100)));

        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            var error = await Assert.ThrowsAsync<NotSupportedException>(
                () => recorder.OutputStringAsync(new Command("big").WithOutputLimit(10, OverflowPolicy.KeepNewest)));
            Assert.Contains("output limit", error.Message, StringComparison.Ordinal);

            await using var process = await recorder.StartAsync(new Command("big").WithOutputLimit(10, OverflowPolicy.KeepOldest)).Soon();
            await process.WaitAsync().Soon();
            await recorder.SaveAsync().Soon();
            Assert.Contains("output limit", recorder.DiscardReason, StringComparison.Ordinal);
        }

        Assert.Empty(Cassette.Load(cassette).Entries);
    }

    [Fact]
    public async Task Recording_over_a_file_that_is_not_a_cassette_is_refused_and_the_file_is_kept()
    {
        using var scratch = new ScratchDirectory();
        var precious = scratch.File("notes.json");
        await File.WriteAllTextAsync(precious, "{\"my\": \"notes\"}");

        var error = Assert.Throws<CassetteException>(() => new RecordReplayRunner(precious, CassetteMode.Record, Inner()));

        Assert.Contains("left alone", error.Message, StringComparison.Ordinal);
        Assert.Equal("{\"my\": \"notes\"}", await File.ReadAllTextAsync(precious));
    }

    [Fact]
    public void A_directory_given_as_the_cassette_is_refused_before_anything_runs()
    {
        using var scratch = new ScratchDirectory();

        var error = Assert.Throws<CassetteException>(() => new RecordReplayRunner(scratch.Path, CassetteMode.Once, Inner()));

        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disposal_after_a_failed_save_does_not_throw_the_same_error_again()
    {
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("target.json");
        var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, Inner());
        await recorder.RunAsync(new Command("tool")).Soon();
        Directory.CreateDirectory(cassette); // the save cannot replace a directory

        var error = Assert.Throws<CassetteException>(recorder.Save);
        await recorder.DisposeAsync();

        Assert.Equal(CassetteProblem.Unwritable, error.Problem);
        Assert.StartsWith("saving failed", recorder.DiscardReason, StringComparison.Ordinal);
    }
}
