namespace Tether.Sessions.Tests;

/// <summary><see cref="SessionDoctor"/>: storage, permissions, session files, hooks and stale recordings.</summary>
public sealed class DoctorSpecs : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("tether-doctor-spec-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private string Sessions => Path.Combine(_temp, "sessions");

    private DoctorOptions Options(params (string Name, string Value)[] variables) => new()
    {
        SessionsDirectory = Sessions,
        StateDirectory = Path.Combine(_temp, "state"),
        HomeDirectory = Path.Combine(_temp, "home"),
        Environment = name => variables.FirstOrDefault(v => v.Name == name).Value,
    };

    private static DoctorCheck Check(IReadOnlyList<DoctorCheck> checks, string name) => Assert.Single(checks, c => c.Name == name);

    [Fact]
    public void A_missing_store_that_can_be_created_is_fine_and_doctor_creates_nothing()
    {
        var checks = SessionDoctor.Run(Options());

        Assert.Equal(DoctorStatus.Ok, Check(checks, "storage").Status);
        Assert.Contains("created", Check(checks, "storage").Detail, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Ok, Check(checks, "state-dir").Status);
        Assert.False(Directory.Exists(Sessions));
        Assert.DoesNotContain(checks, c => c.Status == DoctorStatus.Fail);
    }

    [Fact]
    public void A_healthy_store_passes_every_check_and_hooks_are_found_in_the_start_up_files()
    {
        var store = SessionStore.Open(Sessions);
        SessionImporter.ImportInto(store, WriteScript("make\n"), new ImportOptions { WorkingDirectory = "/" });
        Directory.CreateDirectory(Path.Combine(_temp, "home"));
        File.WriteAllText(Path.Combine(_temp, "home", ".zshrc"), "eval \"$(tether rec init zsh)\"\n");

        var checks = SessionDoctor.Run(Options());

        Assert.All(checks, c => Assert.True(c.Status == DoctorStatus.Ok, $"{c.Name}: {c.Status}: {c.Detail}"));
        Assert.Contains("~/.zshrc", Check(checks, "hooks").Detail, StringComparison.Ordinal);
        Assert.Contains("1 session files", Check(checks, "session-files").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Hooks_are_found_by_the_environment_variable_and_missing_hooks_are_a_warning()
    {
        Assert.Equal(DoctorStatus.Warn, Check(SessionDoctor.Run(Options()), "hooks").Status);
        Assert.Equal(DoctorStatus.Ok, Check(SessionDoctor.Run(Options((SessionDoctor.HooksVariable, "bash"))), "hooks").Status);
    }

    [Fact]
    public void Loose_permissions_are_warnings_that_name_the_files()
    {
        var store = SessionStore.Open(Sessions);
        var session = SessionImporter.ImportInto(store, WriteScript("ls\n"), new ImportOptions { WorkingDirectory = "/" });
        File.SetUnixFileMode(Path.Combine(Sessions, session.Id + ".ndjson"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.SetUnixFileMode(Sessions, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var checks = SessionDoctor.Run(Options());

        Assert.Equal(DoctorStatus.Warn, Check(checks, "storage-permissions").Status);
        Assert.Contains("0705", Check(checks, "storage-permissions").Detail, StringComparison.Ordinal);
        Assert.Equal(DoctorStatus.Warn, Check(checks, "session-permissions").Status);
        Assert.Contains(session.Id + ".ndjson", Check(checks, "session-permissions").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_session_file_fails_and_a_corrupt_line_warns()
    {
        Directory.CreateDirectory(Sessions);
        File.WriteAllText(Path.Combine(Sessions, Guid.NewGuid().ToString("D") + ".ndjson"), "not json\n");

        var checks = SessionDoctor.Run(Options());

        Assert.Equal(DoctorStatus.Fail, Check(checks, "session-files").Status);
        Assert.Contains("cannot be read", Check(checks, "session-files").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_path_that_is_a_file_fails()
    {
        File.WriteAllText(Sessions, "");

        var checks = SessionDoctor.Run(Options());

        Assert.Equal(DoctorStatus.Fail, Check(checks, "storage").Status);
    }

    [Fact]
    public void A_recording_of_a_dead_shell_is_reported_as_stale()
    {
        var state = Path.Combine(_temp, "state");
        Directory.CreateDirectory(state);
        File.WriteAllText(Path.Combine(state, "999999999-12345.active"), "{}");

        var check = Check(SessionDoctor.Run(Options()), "stale-recordings");

        Assert.Equal(DoctorStatus.Warn, check.Status);
        Assert.Contains("pid 999999999", check.Detail, StringComparison.Ordinal);
    }

    private string WriteScript(string content)
    {
        var path = Path.Combine(_temp, "script-" + Guid.NewGuid().ToString("N")[..8] + ".sh");
        File.WriteAllText(path, content);
        return path;
    }
}
