using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Testing.Cassettes;

namespace Tether.Testing.Tests;

/// <summary>
/// How a cassette is saved: owner-only (0600), never through a symbolic link, atomically (the previous file survives a
/// failed save), and without leaving temporary files behind.
/// </summary>
public sealed class CassetteFileSpecs : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-cassette-file-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_saved_cassette_is_owner_only_even_where_the_umask_allows_more()
    {
        // Arrange: a file created the ordinary way here shows what the umask allows.
        var path = Path.Combine(_directory, "cassette.json");
        var ordinary = Path.Combine(_directory, "ordinary.txt");
        await File.WriteAllTextAsync(ordinary, "x");
        Assert.True(
            (File.GetUnixFileMode(ordinary) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0,
            $"This spec needs a umask that lets group or others read new files (the usual 022 or 002); the umask here is {Umask()}.");
        File.Delete(ordinary);

        // Act
        await RecordAndSaveAsync(path, "first");

        // Assert
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task An_existing_cassette_readable_by_others_is_tightened_to_owner_only()
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");
        await RecordAndSaveAsync(path, "first");
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // Act: add an episode to it.
        using (var runner = new RecordReplayRunner(path, CassetteMode.NewEpisodes, inner: Inner()))
        {
            await runner.OutputStringAsync(new Command("second")).Soon();
            runner.Save();
        }

        // Assert
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(["first", "second"], Cassette.Load(path).Entries.Select(e => e.Program));
    }

    [Fact]
    public async Task Saving_to_a_symbolic_link_is_refused_and_the_link_target_is_untouched()
    {
        // Arrange
        var target = Path.Combine(_directory, "target.json");
        await RecordAndSaveAsync(target, "original");
        var before = await File.ReadAllBytesAsync(target);
        var link = Path.Combine(_directory, "link.json");
        File.CreateSymbolicLink(link, target);
        using var runner = new RecordReplayRunner(link, CassetteMode.Record, inner: Inner());
        await runner.OutputStringAsync(new Command("replacement")).Soon();

        // Act
        var error = Assert.Throws<CassetteException>(runner.Save);
        runner.Discard("the save was refused on purpose");

        // Assert
        Assert.Equal(CassetteProblem.Unwritable, error.Problem);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(target));
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(["link.json", "target.json"], Entries());
    }

    [Fact]
    public async Task Saving_to_a_dangling_symbolic_link_is_refused_and_creates_nothing_where_it_points()
    {
        // Arrange
        var target = Path.Combine(_directory, "victim.json");
        var link = Path.Combine(_directory, "link.json");
        File.CreateSymbolicLink(link, target);
        using var runner = new RecordReplayRunner(link, CassetteMode.Record, inner: Inner());
        await runner.OutputStringAsync(new Command("anything")).Soon();

        // Act
        var error = Assert.Throws<CassetteException>(runner.Save);
        runner.Discard("the save was refused on purpose");

        // Assert
        Assert.Equal(CassetteProblem.Unwritable, error.Problem);
        Assert.False(File.Exists(target));
        Assert.Equal(["link.json"], Entries());
    }

    [ReadOnlyDirectoryFact]
    public async Task A_save_into_a_directory_that_refuses_new_files_fails_and_the_previous_cassette_is_byte_identical()
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");
        await RecordAndSaveAsync(path, "previous");
        var before = await File.ReadAllBytesAsync(path);
        using var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: Inner());
        await runner.OutputStringAsync(new Command("replacement")).Soon();

        // Act
        CassetteException error;
        using (DirectoryLock.RefuseNewFiles(_directory))
        {
            error = Assert.Throws<CassetteException>(runner.Save);
        }

        // Assert
        Assert.Equal(CassetteProblem.Unwritable, error.Problem);
        Assert.Contains("is unchanged", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, await File.ReadAllBytesAsync(path));
        Assert.Equal(["cassette.json"], Entries());

        // And what was recorded is not lost: once the directory takes files again, a save writes it.
        runner.Save();
        Assert.Equal("replacement", Assert.Single(Cassette.Load(path).Entries).Program);
        Assert.Equal(["cassette.json"], Entries());
    }

    [Fact]
    public async Task A_save_whose_parent_is_a_regular_file_fails_as_unwritable_and_leaves_that_file_alone()
    {
        // Arrange: this fails for any user, root included.
        var parent = Path.Combine(_directory, "not-a-directory");
        await File.WriteAllTextAsync(parent, "I am a file");
        var path = Path.Combine(parent, "cassette.json");
        using var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: Inner());
        await runner.OutputStringAsync(new Command("anything")).Soon();

        // Act
        var error = Record.Exception(runner.Save);
        runner.Discard("the save failed on purpose");

        // Assert
        var cassetteError = Assert.IsType<CassetteException>(error);
        Assert.Equal(CassetteProblem.Unwritable, cassetteError.Problem);
        Assert.Contains($"'{path}'", cassetteError.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', cassetteError.Message);
        Assert.Equal("I am a file", await File.ReadAllTextAsync(parent));
        Assert.Equal(["not-a-directory"], Entries());
    }

    [Fact]
    public async Task A_directory_given_as_the_cassette_is_refused_before_recording_and_left_untouched()
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "keep.txt"), "kept");

        // Act
        var error = Assert.Throws<CassetteException>(() => new RecordReplayRunner(path, CassetteMode.Record, inner: Inner()));

        // Assert
        Assert.Equal(CassetteProblem.Unreadable, error.Problem);
        Assert.Equal(["cassette.json"], Entries());
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(path, "keep.txt")));
    }

    [Fact]
    public async Task A_cassette_whose_name_is_as_long_as_the_file_system_allows_can_be_saved()
    {
        // Regression (this spec found it): the temporary file was named "<name>.<pid>.<n>.tmp", so a legal cassette
        // name within about 20 bytes of NAME_MAX (255 bytes; cassettes named after long test-method sentences get
        // there) made every save fail with ENAMETOOLONG.
        // Arrange
        var name = new string('c', 255 - ".json".Length) + ".json";
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, "{\"version\": 1, \"entries\": []}"); // the name itself is legal here
        File.Delete(path);

        // Act
        var error = await Record.ExceptionAsync(() => RecordAndSaveAsync(path, "long-name"));

        // Assert
        Assert.Null(error);
        Assert.Equal("long-name", Assert.Single(Cassette.Load(path).Entries).Program);
    }

    [Fact]
    public async Task A_successful_save_leaves_nothing_but_the_cassette()
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");
        using var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: Inner());

        // Act: several saves, each replacing the last.
        for (var i = 0; i < 5; i++)
        {
            await runner.OutputStringAsync(new Command("step" + i.ToString(CultureInfo.InvariantCulture))).Soon();
            runner.Save();
        }

        // Assert
        Assert.Equal(["cassette.json"], Entries());
        Assert.Equal(5, Cassette.Load(path).Entries.Length);
    }

    [Fact]
    public async Task Disposal_saves_what_was_recorded_with_the_same_safety()
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");

        // Act
        using (var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: Inner()))
        {
            await runner.OutputStringAsync(new Command("on-dispose")).Soon();
        }

        // Assert
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal("on-dispose", Assert.Single(Cassette.Load(path).Entries).Program);
        Assert.Equal(["cassette.json"], Entries());
    }

    [Fact]
    public void A_save_replaces_the_file_rather_than_writing_into_it()
    {
        // Arrange: a second name for the old file (a hard link) must keep the old bytes.
        var path = Path.Combine(_directory, "cassette.json");
        CassetteFile.WriteAtomically(path, "old\n"u8.ToArray());
        var hardLink = Path.Combine(_directory, "old-name.json");
        Assert.Equal(0, link(path, hardLink));

        // Act
        CassetteFile.WriteAtomically(path, "new\n"u8.ToArray());

        // Assert
        Assert.Equal("new\n", File.ReadAllText(path));
        Assert.Equal("old\n", File.ReadAllText(hardLink));
    }

    // ---------------------------------------------------------------- helpers

    private static ScriptedRunner Inner() => new ScriptedRunner().Fallback(Reply.Ok("x"));

    private static async Task RecordAndSaveAsync(string path, string program)
    {
        using var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: Inner());
        await runner.OutputStringAsync(new Command(program)).Soon();
        runner.Save();
    }

    private string[] Entries() => [.. Directory.EnumerateFileSystemEntries(_directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static string Umask()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Umask:", StringComparison.Ordinal));
        return line?["Umask:".Length..].Trim() ?? "unknown";
    }

#pragma warning disable SYSLIB1054 // This project does not allow unsafe code, which LibraryImport needs; these are blittable.
    [DllImport("libc", SetLastError = true)]
    private static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);
#pragma warning restore SYSLIB1054

    /// <summary>
    /// A fact that needs a directory that refuses new files. An ordinary user gets one with <c>chmod 0555</c>; a
    /// privileged user (root writes there anyway) with the immutable attribute. Skipped, with the reason, when neither
    /// works here (root without CAP_LINUX_IMMUTABLE, or a file system without the attribute).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    private sealed class ReadOnlyDirectoryFactAttribute : FactAttribute
    {
        public ReadOnlyDirectoryFactAttribute()
        {
            if (DirectoryLock.Unavailable() is { } reason)
            {
                Skip = reason;
            }
        }
    }

    /// <summary>Makes a directory refuse new files until disposed.</summary>
    private sealed class DirectoryLock : IDisposable
    {
        private const uint GetFlags = 0x80086601; // FS_IOC_GETFLAGS
        private const uint SetFlags = 0x40086602; // FS_IOC_SETFLAGS
        private const int Immutable = 0x10; // FS_IMMUTABLE_FL
        private const int ReadOnlyDirectoryFlags = 0x10000; // O_RDONLY | O_DIRECTORY

        private readonly string _directory;
        private readonly UnixFileMode _mode;
        private readonly bool _immutable;

        private DirectoryLock(string directory, UnixFileMode mode, bool immutable)
        {
            _directory = directory;
            _mode = mode;
            _immutable = immutable;
        }

        /// <summary>Why no directory can be made to refuse new files here, or null when one can.</summary>
        public static string? Unavailable()
        {
            var probe = Directory.CreateTempSubdirectory("tether-lock-probe-").FullName;
            try
            {
                using (RefuseNewFiles(probe))
                {
                }

                return null;
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
            finally
            {
                Directory.Delete(probe, recursive: true);
            }
        }

        public static DirectoryLock RefuseNewFiles(string directory)
        {
            var mode = File.GetUnixFileMode(directory);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            if (Refuses(directory))
            {
                return new DirectoryLock(directory, mode, immutable: false);
            }

            // Privileged: the mode does not bind. Try the immutable attribute, which binds root too.
            File.SetUnixFileMode(directory, mode);
            if (ChangeImmutable(directory, on: true) && Refuses(directory))
            {
                return new DirectoryLock(directory, mode, immutable: true);
            }

            ChangeImmutable(directory, on: false);
            throw new InvalidOperationException(
                "This process writes into a read-only (0555) directory (it runs privileged), and the immutable attribute cannot be set here; the spec needs a directory that refuses new files.");
        }

        public void Dispose()
        {
            if (_immutable)
            {
                ChangeImmutable(_directory, on: false);
            }

            File.SetUnixFileMode(_directory, _mode);
        }

        private static bool Refuses(string directory)
        {
            var probe = Path.Combine(directory, "probe");
            try
            {
                File.WriteAllText(probe, "");
                File.Delete(probe);
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }
        }

        private static bool ChangeImmutable(string directory, bool on)
        {
            var fd = open(directory, ReadOnlyDirectoryFlags);
            if (fd < 0)
            {
                return false;
            }

            try
            {
                var flags = 0;
                if (ioctl(fd, GetFlags, ref flags) != 0)
                {
                    return false;
                }

                flags = on ? flags | Immutable : flags & ~Immutable;
                return ioctl(fd, SetFlags, ref flags) == 0;
            }
            finally
            {
                _ = close(fd);
            }
        }

#pragma warning disable SYSLIB1054 // This project does not allow unsafe code, which LibraryImport needs.
        [DllImport("libc", SetLastError = true)]
        private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int ioctl(int fd, nuint request, ref int value);

        [DllImport("libc", SetLastError = true)]
        private static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
