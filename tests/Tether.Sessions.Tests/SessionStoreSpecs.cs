using System.Text;
using System.Text.Json;

namespace Tether.Sessions.Tests;

/// <summary>The session store: durable appends, owner-only files, no symlinks, unique names, atomic rewrites, lookups
/// with "did you mean", listing that survives bad files, and where the store lives.</summary>
public sealed class SessionStoreSpecs : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly TempDirectory _temp = new();
    private readonly SessionStore _store;

    public SessionStoreSpecs() => _store = SessionStore.Open(Path.Combine(_temp.Path, "sessions"));

    public void Dispose() => _temp.Dispose();

    // ---- Recording --------------------------------------------------------------------------------------------------

    [Fact]
    public void I_can_record_a_session_command_by_command_and_load_it_back_by_name_or_id()
    {
        var header = Header("deploy");

        using (var writer = _store.Create(header))
        {
            writer.Append(Command(0, "make"));
            writer.Append(Command(1, "make install") with { ExitCode = 2 });
            writer.Finish(new SessionFooter { Ended = Noon.AddMinutes(1), CommandCount = 2, Status = SessionStatus.Completed });
            Assert.Equal(2, writer.CommandCount);
            Assert.True(writer.IsFinished);
        }

        var byName = _store.Load("deploy");
        var byId = _store.Load(header.Id);

        Assert.True(byName.IsClean);
        Assert.Equal(Path.Combine(_store.Directory, header.Id + ".ndjson"), byName.Path);
        Assert.Equal(byName.Path, byId.Path);
        Assert.Equal(header with { Environment = byName.Session.Header.Environment, Tags = byName.Session.Header.Tags }, byName.Session.Header);
        Assert.Equal(["make", "make install"], byName.Session.Commands.Select(c => c.Command));
        Assert.Equal(2, byName.Session.Commands[1].ExitCode);
        Assert.Equal(SessionStatus.Completed, byName.Session.Footer?.Status);
    }

    [Fact]
    public void Each_line_is_in_the_file_when_Append_returns()
    {
        using var writer = _store.Create(Header("live"));

        writer.Append(Command(0, "ls"));
        var afterOne = File.ReadAllLines(writer.Path);
        writer.Append(Command(1, "pwd"));
        var afterTwo = File.ReadAllLines(writer.Path);

        Assert.Equal(2, afterOne.Length);
        Assert.Equal(3, afterTwo.Length);
        Assert.Contains("\"command\":\"pwd\"", afterTwo[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_can_be_appended_after_the_footer_or_after_the_writer_is_disposed()
    {
        var writer = _store.Create(Header("done"));
        writer.Finish(new SessionFooter { Ended = Noon, CommandCount = 0, Status = SessionStatus.Completed });

        var afterFinish = Assert.Throws<InvalidOperationException>(() => writer.Append(Command(0, "ls")));
        writer.Dispose();

        Assert.Contains("'done' is finished", afterFinish.Message, StringComparison.Ordinal);
        Assert.Throws<ObjectDisposedException>(() => writer.Append(Command(0, "ls")));
        Assert.Equal(2, File.ReadAllLines(writer.Path).Length);
    }

    [Fact]
    public void An_unfinished_session_can_be_reopened_to_append_more_and_a_finished_one_cannot()
    {
        using (var first = _store.Create(Header("resumable")))
        {
            first.Append(Command(0, "ls"));
        }

        using (var again = _store.Append("resumable"))
        {
            Assert.Equal(1, again.CommandCount);
            again.Append(Command(1, "pwd"));
            again.Finish(new SessionFooter { Ended = Noon, CommandCount = 2, Status = SessionStatus.Interrupted });
        }

        var load = _store.Load("resumable");
        Assert.True(load.IsClean);
        Assert.Equal(["ls", "pwd"], load.Session.Commands.Select(c => c.Command));
        var error = Assert.Throws<InvalidOperationException>(() => _store.Append("resumable"));
        Assert.Contains("finished (interrupted)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appending_after_a_crash_cuts_the_torn_line_into_a_sidecar_and_the_session_reads_clean()
    {
        var path = Install("rec-torn.ndjson");
        var torn = File.ReadAllText(path).Split('\n')[^1];

        using (var writer = _store.Append("crashed"))
        {
            writer.Append(Command(2, "docker compose down"));
        }

        var load = _store.Load("crashed");
        Assert.True(load.IsClean, string.Join("; ", load.Problems));
        Assert.Equal(["docker compose up -d", "docker compose logs -f web", "docker compose down"], load.Session.Commands.Select(c => c.Command));
        var sidecar = Assert.Single(Directory.GetFiles(_store.Directory, "torn-*.bin"));
        Assert.StartsWith($"torn-{Path.GetFileNameWithoutExtension(path)}-", Path.GetFileName(sidecar), StringComparison.Ordinal);
        Assert.Equal(torn, File.ReadAllText(sidecar));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(sidecar));
    }

    [Fact]
    public void A_session_deleted_while_recording_fails_the_next_append_saying_so()
    {
        using var writer = _store.Create(Header("doomed"));
        _store.Delete("doomed");

        var error = Assert.Throws<IOException>(() => writer.Append(Command(0, "ls")));

        Assert.Contains("was deleted while 'doomed' was being recorded", error.Message, StringComparison.Ordinal);
        Assert.False(_store.TryFind("doomed", out _));
    }

    // ---- Permissions and symbolic links -----------------------------------------------------------------------------

    [Fact]
    public void The_store_directory_is_created_owner_only_and_every_session_file_is_0600()
    {
        var directory = Path.Combine(_temp.Path, "deep", "er", "sessions");
        var store = SessionStore.Open(directory);

        using (var writer = store.Create(Header("private")))
        {
            writer.Append(Command(0, "ls"));
        }

        store.Tag("private", "kept-private");
        var copy = store.Copy("private", "also-private");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(directory, store.Load("private").Session.Id + ".ndjson")));
        Assert.Equal(OwnerOnlyFile, File.GetUnixFileMode(Path.Combine(directory, copy.Id + ".ndjson")));
    }

    [Fact]
    public void A_new_session_is_never_created_through_a_symbolic_link_planted_at_its_file_name()
    {
        var target = Path.Combine(_temp.Path, "victim");
        File.WriteAllText(target, "precious");
        var header = Header("planted");
        File.CreateSymbolicLink(Path.Combine(_store.Directory, header.Id + ".ndjson"), target);

        Assert.Throws<SessionExistsException>(() => _store.Create(header));

        Assert.Equal("precious", File.ReadAllText(target));
    }

    [Fact]
    public void A_session_file_replaced_by_a_symbolic_link_is_never_read_or_written_through()
    {
        var header = Header("swapped");
        using (_store.Create(header))
        {
        }

        var path = Path.Combine(_store.Directory, header.Id + ".ndjson");
        var target = Path.Combine(_temp.Path, "elsewhere.ndjson");
        File.Move(path, target);
        File.CreateSymbolicLink(path, target);
        var before = File.ReadAllBytes(target);

        var append = Assert.Throws<IOException>(() => _store.Append(header.Id));
        var load = Assert.Throws<IOException>(() => _store.Load(header.Id));
        var tag = Assert.Throws<IOException>(() => _store.Tag(header.Id, "x"));

        Assert.All([append, load, tag], e => Assert.Contains("is a symbolic link", e.Message, StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllBytes(target));
    }

    // ---- Names ------------------------------------------------------------------------------------------------------

    [Fact]
    public void A_name_that_is_taken_is_refused_naming_it_and_nothing_is_written()
    {
        using (_store.Create(Header("taken")))
        {
        }

        using (_store.Create(Header("other")))
        {
        }

        var files = SessionFiles();

        var create = Assert.Throws<SessionExistsException>(() => _store.Create(Header("taken")));
        var rename = Assert.Throws<SessionExistsException>(() => _store.Rename("other", "taken"));
        var copy = Assert.Throws<SessionExistsException>(() => _store.Copy("other", "taken"));

        Assert.All([create, rename, copy], e =>
        {
            Assert.Equal("taken", e.Name);
            Assert.False(e.IsId);
            Assert.Contains("A session named 'taken' already exists", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal(files, SessionFiles());
        Assert.Equal("other", _store.Load("other").Session.Name);
    }

    [Fact]
    public void An_id_that_is_taken_is_refused()
    {
        var header = Header("first");
        using (_store.Create(header))
        {
        }

        var error = Assert.Throws<SessionExistsException>(() => _store.Create(header with { Name = "second" }));

        Assert.True(error.IsId);
        Assert.Contains(header.Id, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("nul\0inside")]
    [InlineData(".hidden")]
    [InlineData("two\nlines")]
    [InlineData("   ")]
    public void A_name_that_could_not_be_a_file_name_is_refused_with_the_reason(string name)
    {
        var error = Assert.Throws<SessionNameException>(() => _store.Create(Header(name)));

        Assert.Contains("cannot", error.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(SessionFiles());
    }

    [Fact]
    public void A_name_over_200_characters_is_refused_and_200_is_accepted()
    {
        var error = Assert.Throws<SessionNameException>(() => _store.Create(Header(new string('n', 201))));
        using (_store.Create(Header(new string('n', 200))))
        {
        }

        Assert.Contains("at most 200 characters", error.Message, StringComparison.Ordinal);
        Assert.Single(SessionFiles());
    }

    [Fact]
    public void An_id_that_is_not_a_uuid_is_refused_because_rec_could_not_read_it()
    {
        var error = Assert.Throws<SessionNameException>(() => _store.Create(Header("ok") with { Id = "../../etc/passwd" }));

        Assert.Contains("UUID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_an_unknown_name_suggests_the_closest_names()
    {
        foreach (var name in new[] { "deploy-api", "deploy-web", "backup-db" })
        {
            using (_store.Create(Header(name)))
            {
            }
        }

        var error = Assert.Throws<SessionNotFoundException>(() => _store.Load("deploy-apj"));
        var none = Assert.Throws<SessionNotFoundException>(() => _store.Load("zzzzzzzzzzzz"));

        Assert.Equal("deploy-apj", error.Name);
        Assert.Equal(["deploy-api", "deploy-web"], error.Suggestions);
        Assert.Contains("Did you mean 'deploy-api' or 'deploy-web'?", error.Message, StringComparison.Ordinal);
        Assert.Empty(none.Suggestions);
        Assert.False(_store.TryFind("deploy-apj", out _));
    }

    [Fact]
    public void Two_foreign_files_with_one_name_make_that_name_ambiguous_and_their_ids_still_work()
    {
        var first = Install("rec-completed.ndjson");
        var text = File.ReadAllText(first).Replace("6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b", "11111111-2222-4333-8444-555555555555", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_store.Directory, "11111111-2222-4333-8444-555555555555.ndjson"), text);

        var error = Assert.Throws<SessionAmbiguousException>(() => _store.Load("deploy-api"));

        Assert.Equal(["11111111-2222-4333-8444-555555555555", "6f1c2a9e-3b4d-4e5f-8a7b-1c2d3e4f5a6b"], error.Ids);
        Assert.Equal("deploy-api", _store.Load("11111111-2222-4333-8444-555555555555").Session.Name);
    }

    // ---- Rewrites ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Rename_changes_only_the_name_and_keeps_every_other_line_byte_for_byte_even_unreadable_ones()
    {
        var path = Install("rec-corrupt-middle.ndjson");
        var before = File.ReadAllLines(path);

        _store.Rename("frontend-build", "site-build");

        var after = File.ReadAllLines(path);
        Assert.Equal(before[1..], after[1..]);
        Assert.Equal(before[0].Replace("\"frontend-build\"", "\"site-build\"", StringComparison.Ordinal), after[0]);
        Assert.Equal("site-build", _store.Load("4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8").Session.Name);
        Assert.False(_store.TryFind("frontend-build", out _));
    }

    [Fact]
    public void Rename_keeps_header_fields_that_this_version_does_not_know()
    {
        var path = Install("rec-recovered.ndjson");
        var lines = File.ReadAllLines(path);
        lines[0] = lines[0].Replace("\"recovered\":true,", "\"recovered\":true,\"terminal\":{\"cols\":120},", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);

        _store.Rename("session-2026-01-31-131500", "recovered-build");

        using var header = JsonDocument.Parse(File.ReadAllLines(path)[0]);
        Assert.Equal(120, header.RootElement.GetProperty("terminal").GetProperty("cols").GetInt32());
        Assert.Equal("recovered-build", header.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public void Tags_are_added_once_in_order_and_removed()
    {
        using (_store.Create(Header("tagged") with { Tags = ["a"] }))
        {
        }

        _store.Tag("tagged", "b", "a", "c");
        var added = _store.Load("tagged").Session.Header.Tags;
        _store.Untag("tagged", "a", "not-there");
        var removed = _store.Load("tagged").Session.Header.Tags;

        Assert.Equal(["a", "b", "c"], added.ToArray());
        Assert.Equal(["b", "c"], removed.ToArray());
        Assert.Throws<SessionNameException>(() => _store.Tag("tagged", " "));
    }

    [Fact]
    public void A_rewrite_that_fails_before_the_rename_leaves_the_old_file_intact_and_no_temp_file()
    {
        var header = Header("fragile");
        using (var writer = _store.Create(header))
        {
            writer.Append(Command(0, "ls"));
        }

        var path = Path.Combine(_store.Directory, header.Id + ".ndjson");
        var before = File.ReadAllBytes(path);
        var entries = Directory.GetFileSystemEntries(_store.Directory).Order(StringComparer.Ordinal).ToArray();
        string? tempSeen = null;
        _store.BeforeReplace = temp =>
        {
            tempSeen = temp;
            throw new IOException("simulated crash between the temp file and the rename");
        };

        Assert.Throws<IOException>(() => _store.Rename("fragile", "renamed"));
        Assert.Throws<IOException>(() => _store.Tag("fragile", "t"));
        var session = _store.Load("fragile").Session;
        Assert.Throws<IOException>(() => _store.Save(session with { Commands = [] }));

        Assert.NotNull(tempSeen);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(entries, Directory.GetFileSystemEntries(_store.Directory).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Tagging_while_a_session_is_recorded_loses_no_command_appended_after_it()
    {
        using var writer = _store.Create(Header("busy"));
        writer.Append(Command(0, "first"));

        _store.Tag("busy", "important");
        writer.Append(Command(1, "second"));
        _store.Rename("busy", "busier");
        writer.Finish(new SessionFooter { Ended = Noon, CommandCount = 2, Status = SessionStatus.Completed });

        var load = _store.Load("busier");
        Assert.True(load.IsClean);
        Assert.Equal(["important"], load.Session.Header.Tags.ToArray());
        Assert.Equal(["first", "second"], load.Session.Commands.Select(c => c.Command));
        Assert.Equal(SessionStatus.Completed, load.Session.Footer?.Status);
    }

    [Fact]
    public void Save_replaces_a_session_with_an_edited_one()
    {
        using (var writer = _store.Create(Header("edited")))
        {
            writer.Append(Command(0, "keep"));
            writer.Append(Command(1, "rm -rf build"));
        }

        var session = _store.Load("edited").Session;
        _store.Save(session with { Commands = [session.Commands[0]] });

        Assert.Equal(["keep"], _store.Load("edited").Session.Commands.Select(c => c.Command));
        Assert.Single(SessionFiles());
    }

    [Fact]
    public void Copy_makes_a_new_session_with_a_new_id_and_the_same_commands()
    {
        Install("rec-completed.ndjson");

        var copy = _store.Copy("deploy-api", "deploy-api-2");

        var original = _store.Load("deploy-api").Session;
        var loaded = _store.Load("deploy-api-2").Session;
        Assert.NotEqual(original.Id, copy.Id);
        Assert.True(Guid.TryParseExact(copy.Id, "D", out _));
        Assert.Equal(copy.Id, loaded.Id);
        Assert.Equal(original.Commands.ToArray(), loaded.Commands.ToArray());
        Assert.Equal(original.Header.Tags.ToArray(), loaded.Header.Tags.ToArray());
    }

    [Fact]
    public void Delete_removes_the_session()
    {
        using (_store.Create(Header("gone")))
        {
        }

        _store.Delete("gone");

        Assert.Empty(SessionFiles());
        Assert.Throws<SessionNotFoundException>(() => _store.Load("gone"));
        Assert.Throws<SessionNotFoundException>(() => _store.Delete("gone"));
    }

    // ---- Listing ----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_store_pointed_at_recs_files_lists_and_loads_them()
    {
        foreach (var fixture in new[] { "rec-completed.ndjson", "rec-recovered.ndjson", "rec-recording.ndjson", "rec-torn.ndjson", "rec-corrupt-middle.ndjson" })
        {
            Install(fixture);
        }

        var list = _store.List();

        Assert.Equal(["deploy-api", "session-2026-01-31-131500", "debug_flaky", "crashed", "frontend-build"], list.Select(s => s.Name));
        Assert.All(list, s => Assert.True(s.IsReadable));
        var recovered = list[1];
        Assert.True(recovered.Recovered);
        Assert.Equal(SessionStatus.Interrupted, recovered.Status);
        Assert.Equal(2, recovered.CommandCount);
        Assert.Null(list[2].Status);
        Assert.Null(list[2].Ended);
        Assert.Equal(SessionProblemKinds.TornLine, Assert.Single(list[3].Problems).Kind);
        Assert.Equal(["web"], list[4].Tags.ToArray());
    }

    [Fact]
    public void List_reports_files_it_cannot_read_after_the_others_and_throws_nothing()
    {
        using (_store.Create(Header("fine")))
        {
        }

        File.WriteAllText(Path.Combine(_store.Directory, "garbage.ndjson"), "this is not a session\n");
        File.WriteAllText(Path.Combine(_store.Directory, "future.ndjson"), """{"type":"header","version":3,"id":"x","name":"future","started_at":1.0}""" + "\n");
        File.CreateSymbolicLink(Path.Combine(_store.Directory, "link.ndjson"), SessionFormatSpecs.FixturePath("rec-completed.ndjson"));
        File.WriteAllText(Path.Combine(_store.Directory, "notes.txt"), "not a session file, not listed");

        var list = _store.List();

        Assert.Equal("fine", list[0].Name);
        Assert.Equal(["future", "garbage", "link"], list.Skip(1).Select(s => s.Id));
        Assert.All(list.Skip(1), s =>
        {
            Assert.False(s.IsReadable);
            Assert.Null(s.Name);
        });
        Assert.Contains("version 3", list[1].Unreadable, StringComparison.Ordinal);
        Assert.Contains("line 1", list[2].Unreadable, StringComparison.Ordinal);
        Assert.Contains("symbolic link", list[3].Unreadable, StringComparison.Ordinal);
    }

    // ---- Where the store lives --------------------------------------------------------------------------------------

    [Theory]
    [InlineData("/custom/place", "/xdg", "/home/ada", "/custom/place")]
    [InlineData("", "/xdg", "/home/ada", "/xdg/tether/sessions")]
    [InlineData(null, "/xdg", "/home/ada", "/xdg/tether/sessions")]
    [InlineData(null, "relative/xdg", "/home/ada", "/home/ada/.local/share/tether/sessions")]
    [InlineData(null, null, "/home/ada", "/home/ada/.local/share/tether/sessions")]
    public void The_store_is_in_TETHER_SESSIONS_DIR_else_XDG_DATA_HOME_else_the_home_directory(string? sessionsDir, string? dataHome, string home, string expected)
    {
        var environment = new Dictionary<string, string?> { [SessionStore.DirectoryVariable] = sessionsDir, ["XDG_DATA_HOME"] = dataHome, ["HOME"] = home };

        var directory = SessionStore.ResolveDirectory(name => environment.GetValueOrDefault(name));

        Assert.Equal(expected, directory);
    }

    [Fact]
    public void A_relative_TETHER_SESSIONS_DIR_is_made_absolute()
    {
        var directory = SessionStore.ResolveDirectory(name => name == SessionStore.DirectoryVariable ? "rel/sessions" : null);

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "rel", "sessions"), directory);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private static SessionHeader Header(string name) => new()
    {
        Id = Guid.NewGuid().ToString("D"),
        Name = name,
        Shell = "bash",
        Os = "linux",
        Hostname = "specs",
        Started = Noon,
    };

    private static RecordedCommand Command(int index, string text) => new()
    {
        Index = index,
        Command = text,
        Cwd = "/work",
        Started = Noon.AddSeconds(index),
        Ended = Noon.AddSeconds(index).AddMilliseconds(250),
        ExitCode = 0,
        Duration = TimeSpan.FromMilliseconds(250),
    };

    /// <summary>Puts a rec fixture into the store as rec names its files: <c>{id}.ndjson</c>.</summary>
    private string Install(string fixture)
    {
        var bytes = File.ReadAllBytes(SessionFormatSpecs.FixturePath(fixture));
        var firstLine = Encoding.UTF8.GetString(bytes).Split('\n')[0];
        using var header = JsonDocument.Parse(firstLine);
        var path = Path.Combine(_store.Directory, header.RootElement.GetProperty("id").GetString() + ".ndjson");
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, OwnerOnlyFile);
        return path;
    }

    private string[] SessionFiles() => Directory.GetFiles(_store.Directory, "*.ndjson").Order(StringComparer.Ordinal).ToArray();

    /// <summary>A fresh directory under the system's temp directory, removed (with everything in it) on dispose.</summary>
    private sealed class TempDirectory : IDisposable
    {
        public TempDirectory()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "tether-session-specs-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory must not fail a spec.
            }
        }
    }
}
