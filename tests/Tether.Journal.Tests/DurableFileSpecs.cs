using System.Text;
using Tether.Interop;
using Tether.IO;

namespace Tether.Journaling.Tests;

/// <summary>
/// <see cref="DurableFile"/>, the one primitive every file Tether owns is written with (journal, sessions, cassettes,
/// audit log, event export): no-follow opens, owner-only creation, torn-tail moves, atomic replace, directory sync.
/// </summary>
public sealed class DurableFileSpecs : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-durable-file-specs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_symbolic_link_at_the_path_is_refused_by_the_open_itself_and_its_target_is_untouched()
    {
        // Arrange
        var target = Path.Combine(_directory, "target.log");
        File.WriteAllText(target, "original");
        var link = Path.Combine(_directory, "link.log");
        File.CreateSymbolicLink(link, target);

        // Act: every way of opening for writing.
        var errors = new[]
        {
            Assert.Throws<PosixIOException>(() => DurableFile.OpenOrCreate(link)),
            Assert.Throws<PosixIOException>(() => DurableFile.OpenExisting(link)),
            Assert.Throws<PosixIOException>(() => DurableFile.OpenForReading(link)),
            Assert.Throws<PosixIOException>(() => DurableFile.ReplaceAtomically(link, "replacement"u8)),
        };

        // Assert: ELOOP is what O_NOFOLLOW makes open(2) itself return, so no check runs before the open to be raced.
        Assert.All(errors, e => Assert.True(e.IsSymbolicLink, e.Message));
        Assert.All(errors, e => Assert.Contains("symbolic link", e.Message, StringComparison.Ordinal));
        Assert.Equal("original", File.ReadAllText(target));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(["link.log", "target.log"], Entries());
    }

    [Fact]
    public void A_dangling_symbolic_link_is_refused_and_nothing_is_created_where_it_points()
    {
        // Arrange
        var victim = Path.Combine(_directory, "victim.log");
        var link = Path.Combine(_directory, "link.log");
        File.CreateSymbolicLink(link, victim);

        // Act
        var create = Assert.Throws<PosixIOException>(() => DurableFile.OpenOrCreate(link));
        var createNew = Assert.Throws<PosixIOException>(() => DurableFile.CreateNew(link));

        // Assert
        Assert.True(create.IsSymbolicLink, create.Message);
        Assert.Equal(Libc.EEXIST, createNew.Errno); // O_EXCL: the name exists, as a link
        Assert.False(File.Exists(victim));
        Assert.Equal(["link.log"], Entries());
    }

    [Fact]
    public void Created_files_are_owner_only_whatever_the_umask_allows()
    {
        // Arrange: a file created the ordinary way shows what the umask allows.
        var ordinary = Path.Combine(_directory, "ordinary.txt");
        File.WriteAllText(ordinary, "x");
        Assert.True(
            (File.GetUnixFileMode(ordinary) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0,
            "This spec needs a umask that lets group or others read new files (the usual 022 or 002).");

        // Act
        DurableFile.OpenOrCreate(Path.Combine(_directory, "opened.log")).Dispose();
        DurableFile.CreateNew(Path.Combine(_directory, "created.log")).Dispose();
        DurableFile.ReplaceAtomically(Path.Combine(_directory, "replaced.json"), "{}"u8);

        // Assert
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(_directory, "opened.log")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(_directory, "created.log")));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(Path.Combine(_directory, "replaced.json")));
    }

    [Fact]
    public void An_existing_file_readable_by_others_is_tightened_to_owner_only_through_its_handle()
    {
        // Arrange
        var path = Path.Combine(_directory, "wide.log");
        File.WriteAllText(path, "kept");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // Act
        bool changed;
        using (var handle = DurableFile.OpenExisting(path))
        {
            changed = DurableFile.TightenToOwnerOnly(handle, path);
        }

        bool changedAgain;
        using (var handle = DurableFile.OpenExisting(path))
        {
            changedAgain = DurableFile.TightenToOwnerOnly(handle, path);
        }

        // Assert
        Assert.True(changed);
        Assert.False(changedAgain);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal("kept", File.ReadAllText(path));
    }

    [Fact]
    public void A_torn_tail_is_moved_to_a_side_file_and_the_move_reports_where_and_how_many_bytes()
    {
        // Arrange: two complete lines, then what a writer that died mid-line leaves.
        var path = Path.Combine(_directory, "events.log");
        File.WriteAllText(path, "one\ntwo\nthr");
        var syncsBefore = DurableFile.DirectorySyncsOnThisThread;

        // Act
        TornTailMove moved;
        using (var handle = DurableFile.OpenExisting(path))
        {
            var end = DurableFile.EndOfLastCompleteLine(handle, path, DurableFile.Stat(handle, path).Size);
            moved = DurableFile.MoveTornTail(handle, path, end, Now);
        }

        // Assert
        Assert.Equal(8, moved.Offset);
        Assert.Equal(3, moved.Bytes);
        Assert.Equal("torn-events-8-20300102T030405.678000Z.bin", moved.SideFileName);
        Assert.Equal(Path.Combine(_directory, moved.SideFileName), moved.SideFilePath);
        Assert.Equal("one\ntwo\n", File.ReadAllText(path));
        Assert.Equal("thr", File.ReadAllText(moved.SideFilePath));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(moved.SideFilePath));
        Assert.Equal([moved.SideFilePath], DurableFile.TornTailSideFiles(path));
        Assert.Equal(syncsBefore + 1, DurableFile.DirectorySyncsOnThisThread); // the side file's name is durable before the cut
    }

    [Fact]
    public void A_second_torn_tail_at_the_same_offset_and_time_gets_its_own_side_file()
    {
        // Arrange
        var path = Path.Combine(_directory, "events.log");
        File.WriteAllText(path, "one\nAAA");
        using (var handle = DurableFile.OpenExisting(path))
        {
            DurableFile.MoveTornTail(handle, path, 4, Now);
        }

        File.AppendAllText(path, "BBBB");

        // Act
        TornTailMove second;
        using (var handle = DurableFile.OpenExisting(path))
        {
            second = DurableFile.MoveTornTail(handle, path, 4, Now);
        }

        // Assert: nothing is overwritten.
        Assert.EndsWith("-1.bin", second.SideFileName, StringComparison.Ordinal);
        var sides = DurableFile.TornTailSideFiles(path);
        Assert.Equal(2, sides.Count);
        Assert.Equal(["AAA", "BBBB"], sides.Select(File.ReadAllText).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Side_files_of_one_file_are_not_taken_for_those_of_a_file_whose_name_starts_the_same()
    {
        // Arrange
        var short_ = Path.Combine(_directory, "web.log");
        var longer = Path.Combine(_directory, "web-1.log");
        File.WriteAllText(short_, "a\nx");
        File.WriteAllText(longer, "b\ny");

        // Act
        using (var handle = DurableFile.OpenExisting(short_))
        {
            DurableFile.MoveTornTail(handle, short_, 2, Now);
        }

        using (var handle = DurableFile.OpenExisting(longer))
        {
            DurableFile.MoveTornTail(handle, longer, 2, Now);
        }

        // Assert
        Assert.Equal("x", File.ReadAllText(Assert.Single(DurableFile.TornTailSideFiles(short_))));
        Assert.Equal("y", File.ReadAllText(Assert.Single(DurableFile.TornTailSideFiles(longer))));
    }

    [Fact]
    public void A_failed_side_file_write_leaves_the_file_as_it_was_and_no_side_file()
    {
        // Arrange
        var path = Path.Combine(_directory, "events.log");
        File.WriteAllText(path, "one\ntw");

        // Act
        using (var handle = DurableFile.OpenExisting(path))
        {
            Assert.Throws<IOException>(() => DurableFile.MoveTornTail(handle, path, 4, Now, _ => throw new IOException("disk full")));
        }

        // Assert
        Assert.Equal("one\ntw", File.ReadAllText(path));
        Assert.Equal(["events.log"], Entries());
    }

    [Fact]
    public void An_atomic_replace_writes_the_new_content_syncs_the_directory_and_leaves_no_temp_file()
    {
        // Arrange
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, "old");
        var syncsBefore = DurableFile.DirectorySyncsOnThisThread;

        // Act
        DurableFile.ReplaceAtomically(path, "new"u8);

        // Assert
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["state.json"], Entries());
        Assert.Equal(syncsBefore + 1, DurableFile.DirectorySyncsOnThisThread); // the rename is durable
    }

    [Fact]
    public void A_failed_atomic_replace_leaves_the_old_file_byte_identical_and_no_temp_file()
    {
        // Arrange
        var path = Path.Combine(_directory, "state.json");
        var old = Encoding.UTF8.GetBytes("{\"old\":true}\n");
        File.WriteAllBytes(path, old);
        string? temp = null;

        // Act: the write has happened; the failure comes just before the rename.
        var error = Assert.Throws<IOException>(() => DurableFile.ReplaceAtomically(path, "{\"new\":true}\n"u8, t =>
        {
            temp = t;
            throw new IOException("no space left on device");
        }));

        // Assert
        Assert.Equal("no space left on device", error.Message);
        Assert.Equal(old, File.ReadAllBytes(path));
        Assert.NotNull(temp);
        Assert.StartsWith(".state.json.", Path.GetFileName(temp), StringComparison.Ordinal);
        Assert.False(File.Exists(temp));
        Assert.Equal(["state.json"], Entries());
    }

    [Fact]
    public void An_atomic_replace_replaces_the_file_rather_than_writing_into_it()
    {
        // Arrange: a reader holding the old file open must keep seeing the old bytes.
        var path = Path.Combine(_directory, "state.json");
        DurableFile.ReplaceAtomically(path, "old"u8);
        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        // Act
        DurableFile.ReplaceAtomically(path, "new"u8);

        // Assert
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal("old", new StreamReader(reader).ReadToEnd());
    }

    private string[] Entries() => [.. Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
