using Tether.Cli.Commands;
using Tether.Cli.Tests.Infrastructure;
using Tether.Testing;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether run --cassette</c> is a program, not a test: its cassette runner never asks to be told about failed tests,
/// so no exception of the process is inspected and nothing it throws can keep a recording from being saved.
/// </summary>
public sealed class RunCassetteTestFailureSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(CassetteMode.Record)]
    [InlineData(CassetteMode.Once)]
    [InlineData(CassetteMode.NewEpisodes)]
    public async Task The_cassette_of_a_run_does_not_watch_for_failed_tests(CassetteMode mode)
    {
        var (opened, error) = RunCassette.Open(_temp.Child($"{mode}.json"), mode, new ScriptedRunner().Fallback(Reply.Ok("recorded")));
        Assert.Null(error);
        var cassette = Assert.IsType<RunCassette>(opened);
        await using (cassette)
        {
            await cassette.Runner.RunAsync(new Command("tool"));
            try
            {
                Assert.Equal("expected", "actual"); // an exception test frameworks throw, seen by nothing here
            }
            catch (Xunit.Sdk.XunitException)
            {
            }

            Assert.False(cassette.Runner.DiscardsWhenTestFails);
            Assert.Null(cassette.Runner.DiscardReason);
            Assert.Equal(1, cassette.Runner.RecordedCount);
        }
    }
}
