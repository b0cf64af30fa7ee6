using System.Text;
using Tether.Cli.Tests.Infrastructure;
using Tether.Journaling;

namespace Tether.Cli.Tests;

/// <summary>
/// A journal used from the <c>journal</c> verbs alone: created by <c>init</c>, fed large payloads through
/// <c>--data @FILE</c> and <c>--data -</c>, followed past old damage with <c>tail --tolerant</c>; and the working
/// directory of a journaled run stored as an absolute path.
/// </summary>
public sealed class JournalFirstUseSpecs : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string JournalPath => _temp.Child("journal");

    public void Dispose() => _temp.Dispose();

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Init_creates_an_empty_owner_only_journal_that_append_and_show_then_use()
    {
        var before = await Tool.RunAsync("journal", "append", JournalPath, "--type", "deploy.started");

        var init = await Tool.RunAsync("journal", "init", JournalPath);
        var append = await Tool.RunAsync("journal", "append", JournalPath, "--type", "deploy.started");
        var show = await Tool.RunAsync("journal", "show", JournalPath);

        Assert.True(before.ExitCode == 1, before.ToString());
        Assert.Contains("tether journal init", before.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(init.ExitCode == 0, init.ToString());
        Assert.Empty(init.Stderr);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(JournalPath));
        Assert.True(append.ExitCode == 0, append.ToString());
        Assert.Equal("1", Assert.Single(append.StdoutLines));
        Assert.Contains("deploy.started", Assert.Single(show.StdoutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_of_an_existing_journal_says_so_exits_0_and_changes_nothing()
    {
        await Tool.RunAsync("journal", "init", JournalPath);
        await Tool.RunAsync("journal", "append", JournalPath, "--type", "deploy.started");
        var files = Directory.GetFiles(JournalPath).Order().Select(f => (f, File.ReadAllText(f))).ToList();

        var again = await Tool.RunAsync("journal", "init", JournalPath);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("already a journal", Assert.Single(again.StdoutLines), StringComparison.Ordinal);
        Assert.Equal(files, Directory.GetFiles(JournalPath).Order().Select(f => (f, File.ReadAllText(f))));
    }

    [Fact]
    public async Task Init_refuses_a_directory_of_other_files_with_one_line_and_writes_nothing_there()
    {
        Directory.CreateDirectory(JournalPath);
        await File.WriteAllTextAsync(Path.Combine(JournalPath, "notes.txt"), "mine");

        var result = await Tool.RunAsync("journal", "init", JournalPath);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("not empty", result.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Equal([Path.Combine(JournalPath, "notes.txt")], Directory.GetFileSystemEntries(JournalPath));
    }

    [Fact]
    public async Task Append_reads_a_200_KiB_payload_from_a_file_and_another_from_stdin()
    {
        await Tool.RunAsync("journal", "init", JournalPath);
        var large = "{\"blob\":\"" + new string('x', 200 * 1024) + "\"}";
        var file = _temp.Child("payload.json");
        await File.WriteAllTextAsync(file, large);

        var fromFile = await Tool.RunAsync("journal", "append", JournalPath, "--type", "report.made", "--data", "@" + file);
        using var stdin = new MemoryStream(Encoding.UTF8.GetBytes("{\"from\":\"stdin\"}\n"));
        var fromStdin = await Tool.RunAsync(["journal", "append", JournalPath, "--type", "report.made", "--data", "-"], stdin);

        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.True(fromStdin.ExitCode == 0, fromStdin.ToString());
        var records = await ReadAllAsync();
        Assert.Equal(200 * 1024, records[0].Data!.Value.GetProperty("blob").GetString()!.Length);
        Assert.Equal("stdin", records[1].Data!.Value.GetProperty("from").GetString());
    }

    [Fact]
    public async Task Append_data_that_is_missing_not_json_or_too_large_is_one_clear_line_and_exit_2()
    {
        await Tool.RunAsync("journal", "init", JournalPath);
        var notJson = _temp.Child("notes.txt");
        await File.WriteAllTextAsync(notJson, "hello");
        var tooLarge = _temp.Child("large.json");
        await File.WriteAllTextAsync(tooLarge, "{\"blob\":\"" + new string('x', 1024 * 1024) + "\"}");

        var missing = await Tool.RunAsync("journal", "append", JournalPath, "--type", "a.b", "--data", "@" + _temp.Child("nope.json"));
        var invalid = await Tool.RunAsync("journal", "append", JournalPath, "--type", "a.b", "--data", "@" + notJson);
        var large = await Tool.RunAsync("journal", "append", JournalPath, "--type", "a.b", "--data", "@" + tooLarge);

        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.Contains("does not exist", missing.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("is not valid JSON", invalid.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(large.ExitCode == 2, large.ToString());
        Assert.Contains("more than 1 MiB", large.SingleErrorLine(), StringComparison.Ordinal);
        Assert.Empty(await ReadAllAsync());
    }

    [Fact]
    public async Task Tail_stops_at_old_damage_and_tolerant_tail_reports_it_with_its_position_and_goes_on()
    {
        await AppendAsync("s.one", "s.two", "s.three");
        FlipByteInLine(2);

        var strict = await Tool.RunAsync("journal", "tail", JournalPath);
        var tolerant = await Tool.RunAsync("journal", "tail", JournalPath, "--tolerant");

        Assert.True(strict.ExitCode == 1, strict.ToString());
        Assert.Contains("--tolerant", strict.SingleErrorLine(), StringComparison.Ordinal);
        Assert.True(tolerant.ExitCode == 0, tolerant.ToString());
        Assert.Equal(2, tolerant.StdoutLines.Length);
        Assert.StartsWith("tether: skipped damage: BadChecksum in 00000000000000000001.jsonl at offset", Assert.Single(tolerant.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tolerant_tail_follow_goes_past_old_damage_and_prints_new_records()
    {
        await AppendAsync("s.one", "s.two", "s.three");
        FlipByteInLine(2);
        using var interruption = new Interruption();

        var (run, console) = Tool.Start(["journal", "tail", JournalPath, "--follow", "--tolerant"], interruption);
        try
        {
            await Tool.EventuallyAsync(() => console.Stdout.Contains("s.three", StringComparison.Ordinal), "the last record is printed");
            await AppendAsync("s.four");
            await Tool.EventuallyAsync(() => console.Stdout.Contains("s.four", StringComparison.Ordinal), "the new record is printed");
        }
        finally
        {
            interruption.Request();
        }

        Assert.Equal(130, await run.WaitAsync(Tool.Hang));
        Assert.Contains("skipped damage: BadChecksum", console.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_journaled_run_stores_its_working_directory_as_an_absolute_path()
    {
        Directory.CreateDirectory(_temp.Child("work"));

        var result = await Tool.RunChildAsync(["run", "--journal", JournalPath, "--cwd", "work", "--", Dummy.Path, "exit", "0"], new Dictionary<string, string?>(), workingDirectory: _temp.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        var command = (await ReadAllAsync()).Single(r => r.Type == "job.command");
        Assert.Equal(_temp.Child("work"), command.Data!.Value.GetProperty("cwd").GetString());
    }

    private async Task AppendAsync(params string[] types)
    {
        var journal = await Journal.OpenAsync(JournalPath);
        await using (journal)
        {
            foreach (var type in types)
            {
                await journal.AppendAsync(new JournalEntry(type));
            }
        }
    }

    private Task<List<JournalRecord>> ReadAllAsync() => JournalFiles.ReadAllAsync(JournalPath);

    private void FlipByteInLine(int lineNumber) => JournalFiles.FlipByteInLine(JournalPath, lineNumber);
}
