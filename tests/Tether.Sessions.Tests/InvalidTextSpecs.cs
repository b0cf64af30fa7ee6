using System.Text;

namespace Tether.Sessions.Tests;

/// <summary>
/// Session files carry no checksum, so one flipped bit can leave a line that is JSON but not text (an invalid UTF-8
/// byte, or an escape such as <c>\ud800</c>). Such a line is a reported problem with its line number; a bad header is
/// the typed format error; and the store lists every other session past a bad file.
/// </summary>
public sealed class InvalidTextSpecs : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tether-invalid-text-specs-" + Guid.NewGuid().ToString("N"));
    private readonly SessionStore _store;

    public InvalidTextSpecs() => _store = SessionStore.Open(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Ways a line can stop being text: an invalid byte, an unpaired surrogate in a value or in a member name.</summary>
    public static TheoryData<string> Damage => new() { "byte", "escape", "name-escape" };

    /// <summary>The file with the first character of <paramref name="marker"/> made invalid: an invalid byte (one flipped
    /// bit) or an unpaired surrogate escape.</summary>
    private static byte[] Damaged(byte[] file, string marker, string how)
    {
        var text = Encoding.UTF8.GetString(file);
        var at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{marker}' is not in the file");
        byte[] first = how switch
        {
            // 'm' (0x6d) with its top bit flipped is 0xed, a lead byte with no continuation bytes after it.
            "byte" => [0xED],
            _ => Encoding.UTF8.GetBytes("\\ud800"),
        };
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. first, .. Encoding.UTF8.GetBytes(text[(at + 1)..])];
    }

    private string Record(string name, params string[] commands)
    {
        var header = new SessionHeader { Id = Guid.NewGuid().ToString("D"), Name = name, Shell = "bash", Os = "linux", Started = Noon };
        using (var writer = _store.Create(header))
        {
            for (var i = 0; i < commands.Length; i++)
            {
                writer.Append(new RecordedCommand { Index = i, Command = commands[i], Cwd = "/work", Started = Noon.AddSeconds(i), ExitCode = 0 });
            }

            writer.Finish(new SessionFooter { Ended = Noon.AddMinutes(1), CommandCount = commands.Length, Status = SessionStatus.Completed });
        }

        return Path.Combine(_store.Directory, header.Id + ".ndjson");
    }

    [Theory]
    [MemberData(nameof(Damage))]
    public void A_command_line_that_is_not_text_is_a_problem_with_its_line_and_the_rest_is_read(string how)
    {
        var path = Record("deploy", "make", "make install", "make check");
        var bytes = File.ReadAllBytes(path);
        byte[] damaged;
        if (how == "name-escape")
        {
            // The second command gains a member the format ignores, whose name is not text.
            var lines = Encoding.UTF8.GetString(bytes).Split('\n');
            lines[2] = lines[2].Replace("\"cwd\"", "\"\\udc00x\":1,\"cwd\"", StringComparison.Ordinal);
            damaged = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        }
        else
        {
            damaged = Damaged(bytes, "make install", how);
        }

        var load = SessionFormat.Parse(new MemoryStream(damaged), path);

        Assert.Equal(["make", "make check"], load.Session.Commands.Select(c => c.Command));
        var problems = load.Problems.Where(p => p.Kind == SessionProblemKinds.CorruptLine).ToList();
        Assert.Equal(3, Assert.Single(problems).Line);
        Assert.Contains("not valid UTF-8", problems[0].Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("byte")]
    [InlineData("escape")]
    public void A_header_that_is_not_text_is_the_typed_format_error_on_one_line(string how)
    {
        var path = Record("my-session", "make");
        var damaged = Damaged(File.ReadAllBytes(path), "my-session", how);

        var error = Assert.Throws<SessionFormatException>(() => SessionFormat.Parse(new MemoryStream(damaged), path));

        Assert.Contains("line 1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Listing_and_loading_go_on_past_a_session_that_is_not_text()
    {
        var good = Record("good", "ls");
        var badHeader = Record("my-session", "make");
        var badCommand = Record("deploy", "make", "make install");
        File.WriteAllBytes(badHeader, Damaged(File.ReadAllBytes(badHeader), "my-session", "byte"));
        File.WriteAllBytes(badCommand, Damaged(File.ReadAllBytes(badCommand), "make install", "escape"));

        var list = _store.List();
        var loaded = _store.Load("deploy");

        Assert.Equal(3, list.Count);
        Assert.Contains(list, s => s.Path == good && s.IsReadable && s.Problems.Count == 0);
        Assert.Contains(list, s => s.Path == badHeader && !s.IsReadable && s.Unreadable!.Contains("UTF-8", StringComparison.Ordinal));
        var deploy = Assert.Single(list, s => s.Path == badCommand);
        Assert.Equal(1, deploy.CommandCount);
        Assert.Equal(3, Assert.Single(deploy.Problems, p => p.Kind == SessionProblemKinds.CorruptLine).Line);
        Assert.Equal(["make"], loaded.Session.Commands.Select(c => c.Command));
    }

    [Fact]
    public void A_recording_state_file_that_is_not_text_is_the_documented_format_error()
    {
        var active = new ActiveFile
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = "my-recording",
            Shell = "bash",
            ShellPid = 4242,
            ShellStartTime = 1234,
            Started = Noon,
        };
        var damaged = Damaged(active.Write(), "my-recording", "escape");

        var error = Assert.Throws<FormatException>(() => ActiveFile.Parse(damaged));

        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }
}
