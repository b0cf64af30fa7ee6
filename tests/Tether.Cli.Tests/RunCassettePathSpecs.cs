using Tether.Cli.Tests.Infrastructure;

namespace Tether.Cli.Tests;

/// <summary>
/// <c>tether run --cassette FILE</c> finds what is wrong with FILE's path before anything runs, and says it in the
/// tool's words: a directory where nothing can be recorded, a link that leads nowhere, a run the cassette lacks.
/// </summary>
public sealed class RunCassettePathSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_cassette_in_proc_is_refused_before_the_program_runs()
    {
        var marker = _temp.Child("ran");

        var result = await Tool.RunAsync("run", "--cassette", "/proc/c.json", "--", "/bin/sh", "-c", $"touch '{marker}'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            "tether: --cassette: a recording could not be saved in '/proc': it accepts no new files (a special file system such as /proc or /sys): give a cassette path in a directory you can write; nothing was run.",
            result.SingleErrorLine());
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("once")]
    [InlineData("replay")]
    [InlineData("new-episodes")]
    [InlineData("record")]
    public async Task A_dangling_symbolic_link_is_named_as_one_in_every_mode(string mode)
    {
        var link = _temp.Child("c.json");
        var target = _temp.Child("gone.json");
        File.CreateSymbolicLink(link, target);

        var result = await Tool.RunAsync("run", "--cassette", link, "--mode", mode, "--", "/bin/echo", "hi");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            $"tether: --cassette: '{link}' is a symbolic link to '{target}', which does not exist, and cassettes are never written through a link: give the cassette's own path, or remove the link to record one there; nothing was run.",
            result.SingleErrorLine());
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task A_cassette_path_under_a_file_names_the_file_not_a_missing_directory()
    {
        var file = _temp.Child("notes.txt");
        File.WriteAllText(file, "x");

        var result = await Tool.RunAsync("run", "--cassette", Path.Combine(file, "c.json"), "--", "/bin/echo", "hi");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"tether: --cassette: '{file}' is a file, not a directory: give a cassette path in a directory; nothing was run.", result.SingleErrorLine());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task A_loop_of_links_is_named_as_one()
    {
        var first = _temp.Child("a.json");
        var second = _temp.Child("b.json");
        File.CreateSymbolicLink(first, second);
        File.CreateSymbolicLink(second, first);

        var result = await Tool.RunAsync("run", "--cassette", first, "--", "/bin/echo", "hi");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("is a symbolic link that leads to itself", result.SingleErrorLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_the_cassette_lacks_is_explained_in_options_not_in_library_names()
    {
        var cassette = _temp.Child("c.json");
        var recorded = await Tool.RunAsync("run", "--cassette", cassette, "--", "/bin/echo", "hi");
        Assert.True(recorded.ExitCode == 0, recorded.ToString());

        var result = await Tool.RunAsync("run", "--cassette", cassette, "--", "/bin/echo", "other");

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = result.SingleErrorLine();
        Assert.Contains("add it with --mode new-episodes, re-record the file with --mode record", line, StringComparison.Ordinal);
        Assert.DoesNotContain("NewEpisodes", line, StringComparison.Ordinal);
        Assert.DoesNotContain("CassetteMode", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writable_directory_records_and_leaves_no_probe_behind()
    {
        var cassette = _temp.Child("c.json");

        var result = await Tool.RunAsync("run", "--cassette", cassette, "--", "/bin/echo", "hi");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["c.json"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }
}
