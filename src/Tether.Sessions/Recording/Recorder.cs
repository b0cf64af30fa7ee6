using System.Collections.Immutable;
using System.Globalization;
using Tether.IO;

namespace Tether.Sessions;

/// <summary>
/// Records shell sessions command by command: what the <c>tether rec start</c>, <c>stop</c> and <c>status</c> verbs do.
/// The commands themselves are captured by the shell hooks that <c>tether rec init</c> prints (<see cref="ShellHooks"/>);
/// this class starts and ends recordings, and saves them to a <see cref="SessionStore"/>. Linux only.
/// </summary>
/// <remarks>
/// <para>
/// <b>How the shell and Tether cooperate.</b> The .NET runtime never starts per command. A recording of a shell is a
/// file, <c>PID-STARTTIME.active</c>, in the state directory (<see cref="RecordingDirectory"/>); <see cref="Start"/>
/// creates it. Before and after each command the hooks test whether it exists (a builtin <c>-e</c> test: one
/// <c>stat</c>, no process) and, only while it does, append a line to <c>PID-STARTTIME.spool</c> with shell builtins:
/// the command line, working directory and start time before the command, end time and exit code after it.
/// <see cref="Stop"/> reads the spool and writes the session; the hooks see the file gone at the next prompt.
/// </para>
/// <para>
/// <b>The spool</b> is UTF-8 text, one tab-separated record per line: <c>B started cwd command</c> before a command,
/// <c>E ended exit-code</c> after it, <c>D</c> to drop the command begun last (the <c>tether rec stop</c> that ends the
/// recording). Times are Unix seconds with an optional fraction after <c>.</c> or <c>,</c>; in <c>cwd</c> and
/// <c>command</c>, <c>\\</c>, <c>\t</c>, <c>\n</c> and <c>\r</c> stand for a backslash, tab, line feed and carriage
/// return. A final line without its newline is torn (the shell died writing it) and skipped; a malformed or unknown
/// line is skipped too; each is reported in <see cref="SavedRecording.Problems"/> with its line number. A command that
/// began and never ended is kept without end, exit code and duration.
/// </para>
/// <para>
/// <b>The lock is the shell.</b> A recording is named after the recording shell's pid and start time
/// (<c>/proc/PID/stat</c> field 22), never after the short-lived <c>tether</c> process that started it. A recording
/// is live while that very process exists; a recycled pid has another start time and so another name. One recording
/// per shell: a second <see cref="Start"/> in a recording shell fails with <see cref="AlreadyRecordingException"/>.
/// Several shells record side by side, each in its own files.
/// </para>
/// <para>
/// <b>Stale recovery.</b> A recording whose shell died (or whose recording file predates this boot) is stale.
/// <see cref="RecoverStale"/> (also run by every <see cref="Start"/>) saves a stale recording that holds at least one
/// command under the name it was recording under (the next free <c>-N</c> variant if that is taken meanwhile; as
/// <c>recovered-YYYY-MM-DD-HHMMSS</c>, the time the recording started in the local time zone of
/// <see cref="TimeProvider"/>, when its recording file cannot be read) with <see cref="SessionHeader.Recovered"/> set and an
/// <see cref="SessionStatus.Interrupted"/> footer whose end is the last command's end; a stale recording without
/// commands is discarded. A command that was running when the shell died is kept, without end, exit code or duration.
/// Only a stale recording's own files are removed; a recording made in another PID namespace is left alone (its pids
/// mean nothing here), and nothing else in the directory is touched.
/// </para>
/// <para>
/// <b>Crash safety.</b> Starting, stopping and recovering hold a lock on the state directory, so two tether processes
/// never act on one recording. <see cref="Stop"/> first renames the recording file to <c>PID-STARTTIME.stopping</c>
/// (the shell stops appending), saves, then removes the files; if saving fails the file is renamed back and the shell
/// goes on recording, and if the process dies a stale-recovery pass finishes the job. Saving is idempotent by session
/// id: a session that an interrupted save left unfinished in the store is completed, not duplicated.
/// </para>
/// </remarks>
public sealed class Recorder
{
    private readonly RecordingFiles _files;
    private readonly SessionStore _store;
    private readonly TimeProvider _time;

    /// <summary>A recorder that saves to <paramref name="store"/> and keeps recording state in
    /// <paramref name="stateDirectory"/> (default: <see cref="RecordingDirectory.ResolvePath"/>), which is created
    /// owner-only if missing.</summary>
    /// <param name="store">Where stopped and recovered recordings are saved.</param>
    /// <param name="stateDirectory">The state directory; null for the default.</param>
    /// <param name="timeProvider">The clock for start times, default names and stop times (default: the system's).</param>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    /// <exception cref="RecordingStateException">The state directory cannot be used.</exception>
    public Recorder(SessionStore store, string? stateDirectory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Shell recording is implemented and tested on Linux only: it identifies shells through /proc.");
        }

        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _files = RecordingFiles.Open(stateDirectory ?? RecordingDirectory.ResolvePath());
    }

    /// <summary>The shells there are hooks for: <c>bash</c>, <c>zsh</c>, <c>fish</c>.</summary>
    public static IReadOnlyList<string> Shells { get; } = ["bash", "zsh", "fish"];

    /// <summary>The environment variables recorded in a session's header when they are set (never anything else: the
    /// environment may hold secrets).</summary>
    public static IReadOnlyList<string> EnvironmentAllowList { get; } = ["LANG", "LC_ALL", "SHELL", "TERM"];

    /// <summary>The state directory (absolute).</summary>
    public string StateDirectory => _files.Directory;

    /// <summary>
    /// Starts recording the shell <paramref name="shellPid"/>: its hooks record every command from the next one on,
    /// until <see cref="Stop"/>. Stale recordings are recovered first (call <see cref="RecoverStale"/> before to report
    /// what that did: whatever is still stale then is recovered here silently, a failure left for a later pass).
    /// </summary>
    /// <param name="shellPid">The recording shell's pid (<see cref="RecordingShell"/> tells it).</param>
    /// <param name="name">The session's name; null for <c>session-YYYY-MM-DD-HHMMSS</c> (local time, with a
    /// <c>-2</c>, <c>-3</c>, … suffix when that is taken).</param>
    /// <param name="shell"><c>bash</c>, <c>zsh</c> or <c>fish</c>.</param>
    /// <returns>The recording.</returns>
    /// <exception cref="ArgumentException">The shell kind is unknown, or there is no live process <paramref name="shellPid"/>.</exception>
    /// <exception cref="SessionNameException">The name is not acceptable.</exception>
    /// <exception cref="SessionExistsException">The store has a session with that name.</exception>
    /// <exception cref="RecordingNameTakenException">Another shell is recording under that name.</exception>
    /// <exception cref="AlreadyRecordingException">This shell is already recording (message: "this shell is already
    /// recording 'X'; stop it first").</exception>
    /// <exception cref="RecordingStateException">The state directory cannot be used.</exception>
    public ActiveRecording Start(int shellPid, string? name, string shell)
    {
        ArgumentNullException.ThrowIfNull(shell);
        if (!Shells.Contains(shell))
        {
            throw new ArgumentException($"There are recording hooks for {string.Join(", ", Shells)}; not for '{shell}'.", nameof(shell));
        }

        if (name is not null)
        {
            SessionNames.ValidateName(name, nameof(name));
        }

        var process = ShellProcess.TryFind(shellPid)
            ?? throw new ArgumentException($"There is no live process with pid {shellPid} to record.", nameof(shellPid));

        using var gate = _files.Lock();
        _ = RecoverStaleLocked();

        var activePath = _files.Active(process.Key);
        if (RecordingFiles.Exists(activePath))
        {
            throw new AlreadyRecordingException(shellPid, TryRead(activePath)?.Name ?? "(its state file is unreadable)");
        }

        var live = LiveRecordings();
        var now = _time.GetUtcNow();
        string sessionName;
        if (name is null)
        {
            sessionName = UniqueName("session-" + Stamp(now), live);
        }
        else
        {
            if (_store.TryFind(name, out var existing))
            {
                throw new SessionExistsException(name, isId: false, existing);
            }

            if (live.FirstOrDefault(r => r.Name == name) is { } other)
            {
                throw new RecordingNameTakenException(name, other.ShellPid);
            }

            sessionName = name;
        }

        var active = new ActiveFile
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = sessionName,
            NameGiven = name is not null,
            Shell = shell,
            ShellPid = process.Pid,
            ShellStartTime = process.StartTime,
            BootId = ShellProcess.BootId(),
            PidNamespace = ShellProcess.PidNamespace(),
            Started = now,
            Hostname = Environment.MachineName,
            Environment = CapturedEnvironment(),
        };

        try
        {
            // The spool first: once the recording file exists, the hooks append to it.
            _files.CreateEmpty(_files.Spool(process.Key));
            DurableFile.Delete(_files.Line(process.Key));
            _files.WriteAtomically(activePath, active.Write());
        }
        catch (IOException e)
        {
            throw new RecordingStateException(activePath, $"The recording could not be started: {e.Message}", e);
        }

        return Describe(active, 0);
    }

    /// <summary>
    /// Stops the recording of the shell <paramref name="shellPid"/> and saves it to the store with a
    /// <see cref="SessionStatus.Completed"/> footer. The <c>tether rec stop</c> command that ends the recording is not
    /// part of it (the shell function marks it); a command still running in that shell (a stop from another terminal)
    /// is saved unfinished.
    /// </summary>
    /// <exception cref="NotRecordingException">That shell is not recording, or there is no such shell.</exception>
    /// <exception cref="RecordingStateException">The state cannot be read (the spool is over its size limit); the
    /// shell goes on recording.</exception>
    /// <exception cref="IOException">The session could not be written; the shell goes on recording.</exception>
    public SavedRecording Stop(int shellPid)
    {
        var process = ShellProcess.TryFind(shellPid) ?? throw new NotRecordingException(shellPid, shellExists: false);

        using var gate = _files.Lock();
        var key = process.Key;
        var activePath = _files.Active(key);
        if (!RecordingFiles.Exists(activePath))
        {
            throw new NotRecordingException(shellPid, shellExists: true);
        }

        var active = TryRead(activePath);
        var stoppingPath = _files.Stopping(key);
        DurableFile.Rename(activePath, stoppingPath); // from here on the hooks no longer append
        try
        {
            var spool = ReadSpool(key);
            active ??= Reconstruct(process, spool);
            var saved = Save(active, spool, active.Name, SessionStatus.Completed, recovered: false, ended: _time.GetUtcNow());
            RemoveState(key, stoppingPath);
            return saved;
        }
        catch
        {
            // Still recording: the user can stop again once the cause is fixed, and nothing recorded is lost.
            TryRename(stoppingPath, activePath);
            throw;
        }
    }

    /// <summary>The recording of the shell <paramref name="shellPid"/>, or null when it is not recording (or gone).</summary>
    /// <exception cref="RecordingStateException">The spool is over its size limit.</exception>
    public ActiveRecording? Status(int shellPid)
    {
        if (ShellProcess.TryFind(shellPid) is not { } process)
        {
            return null;
        }

        var activePath = _files.Active(process.Key);
        if (!RecordingFiles.Exists(activePath))
        {
            return null;
        }

        var spool = ReadSpool(process.Key);
        return Describe(TryRead(activePath) ?? Reconstruct(process, spool), spool.Commands.Length);
    }

    /// <summary>
    /// Saves or discards every stale recording (see the remarks of <see cref="Recorder"/>) and reports what it did;
    /// live recordings are not touched. Empty when there was nothing stale.
    /// </summary>
    /// <remarks>A recording that cannot be saved is reported as <see cref="StaleOutcome.Failed"/> and left in place
    /// for a later attempt; the others are still handled.</remarks>
    /// <exception cref="RecordingStateException">The state directory cannot be locked.</exception>
    public IReadOnlyList<StaleRecording> RecoverStale()
    {
        using var gate = _files.Lock();
        return RecoverStaleLocked();
    }

    private List<StaleRecording> RecoverStaleLocked()
    {
        var results = new List<StaleRecording>();
        var bootId = ShellProcess.BootId();
        var pidNamespace = ShellProcess.PidNamespace();
        foreach (var (shell, path, stopping) in _files.Recordings().ToList())
        {
            var active = TryRead(path);
            // A .stopping file is a stop that died after taking the lock, so it is always finished here.
            if (stopping || IsStale(shell, active, bootId, pidNamespace))
            {
                try
                {
                    results.Add(Recover(shell, path, active));
                }
                catch (Exception e) when (e is IOException or RecordingStateException or SessionFormatException or SessionExistsException)
                {
                    results.Add(new StaleRecording(shell.Pid, active?.Name, StaleOutcome.Failed, null, e.Message));
                }
            }
        }

        return results;
    }

    private static bool IsStale(ShellProcess shell, ActiveFile? active, string? bootId, string? pidNamespace)
    {
        if (active?.BootId is { } recordedBoot && bootId is not null && recordedBoot != bootId)
        {
            return true; // recorded before this boot: every process of that boot is gone
        }

        if (active?.PidNamespace is { } recordedNamespace && pidNamespace is not null && recordedNamespace != pidNamespace)
        {
            return false; // its pid names a process in another namespace: not ours to judge
        }

        return !shell.IsAlive;
    }

    private StaleRecording Recover(ShellProcess shell, string path, ActiveFile? active)
    {
        var spool = ReadSpool(shell.Key);
        if (spool.Commands.IsEmpty)
        {
            RemoveState(shell.Key, path);
            return new StaleRecording(shell.Pid, active?.Name, StaleOutcome.Discarded, null);
        }

        var recording = active ?? Reconstruct(shell, spool);
        var last = spool.Commands[^1];
        var alreadySaved = IsFinishedInStore(recording.Id);
        // It keeps the name it was recording under (the header's recovered flag says what happened); only a recording
        // whose state file is unreadable, and so whose name is lost, is named after the time it started.
        var name = active?.Name ?? "recovered-" + Stamp(recording.Started);
        var saved = Save(recording, spool, name, SessionStatus.Interrupted, recovered: true, ended: last.Ended ?? last.Started);
        RemoveState(shell.Key, path);
        return new StaleRecording(shell.Pid, active?.Name, alreadySaved ? StaleOutcome.AlreadySaved : StaleOutcome.Saved, saved);
    }

    /// <summary>
    /// Writes the session: a new file (under <paramref name="wantedName"/>, or the next free <c>-N</c> variant), or —
    /// when an earlier save of this id was interrupted — the missing commands and the footer of that file.
    /// </summary>
    private SavedRecording Save(ActiveFile recording, SpoolContent spool, string wantedName, SessionStatus status, bool recovered, DateTimeOffset ended)
    {
        SessionWriter writer;
        if (_store.TryFind(recording.Id, out var existing))
        {
            try
            {
                writer = _store.Append(recording.Id);
            }
            catch (InvalidOperationException)
            {
                // Finished already: an earlier save completed and died before removing the state files.
                var load = _store.Load(recording.Id);
                return new SavedRecording(load.Session.Name, recording.Id, existing, load.Session.Commands.Length,
                    load.Session.Footer?.Status ?? status, load.Session.Header.Recovered, spool.Problems);
            }
        }
        else
        {
            writer = Create(recording, wantedName, recovered);
        }

        using (writer)
        {
            foreach (var command in spool.Commands.Skip(writer.CommandCount))
            {
                // The session file keeps the line as typed, but never a secret in it: "mysql -p x", "--password=x",
                // "curl -H 'Authorization: Bearer x'" and "export API_KEY=x" are stored with the value as ***.
                writer.Append(command with { Command = RedactionPolicy.Default.Redact(command.Command) });
            }

            writer.Finish(new SessionFooter { Ended = ended, CommandCount = writer.CommandCount, Status = status });
            return new SavedRecording(writer.Name, recording.Id, writer.Path, writer.CommandCount, status, recovered, spool.Problems);
        }
    }

    private SessionWriter Create(ActiveFile recording, string wantedName, bool recovered)
    {
        // The recording being saved does not compete for its own name (a stale one's state file is still there).
        List<ActiveFile> Others() => LiveRecordings().Where(r => r.Id != recording.Id).ToList();
        var header = new SessionHeader
        {
            Id = recording.Id,
            Name = UniqueName(wantedName, Others()),
            Shell = recording.Shell.Length > 0 ? recording.Shell : null,
            Os = "linux",
            Hostname = recording.Hostname,
            Environment = recording.Environment,
            Recovered = recovered,
            Started = recording.Started,
        };

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return _store.Create(header);
            }
            catch (SessionExistsException e) when (!e.IsId && attempt < 100)
            {
                // Taken between the check and the create (by a process that does not hold our lock): the next variant.
                header = header with { Name = UniqueName(wantedName, Others(), after: header.Name) };
            }
        }
    }

    /// <summary><paramref name="wanted"/>, or <c>wanted-2</c>, <c>wanted-3</c>, …: the first that no stored session and
    /// no live recording has (and that comes after <paramref name="after"/>, when given).</summary>
    private string UniqueName(string wanted, IReadOnlyList<ActiveFile> live, string? after = null)
    {
        var start = after is null ? 1 : 2;
        if (after is not null && after.StartsWith(wanted + "-", StringComparison.Ordinal)
            && int.TryParse(after.AsSpan(wanted.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var previous))
        {
            start = previous + 1;
        }

        for (var n = start; n < start + 10_000; n++)
        {
            var candidate = n == 1 ? wanted : string.Create(CultureInfo.InvariantCulture, $"{wanted}-{n}");
            if (!live.Any(r => r.Name == candidate) && !IsTakenInStore(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No free name like '{wanted}' in the session store; rename or delete some sessions.");
    }

    private bool IsTakenInStore(string name)
    {
        try
        {
            return _store.TryFind(name, out _);
        }
        catch (SessionAmbiguousException)
        {
            return true;
        }
    }

    private bool IsFinishedInStore(string id)
    {
        try
        {
            return _store.TryFind(id, out _) && _store.Load(id).Session.Footer is not null;
        }
        catch (Exception e) when (e is SessionFormatException or IOException)
        {
            return false;
        }
    }

    /// <summary>The recordings whose state files can be read (live ones, after a recovery pass).</summary>
    private List<ActiveFile> LiveRecordings() =>
        _files.Recordings().Where(r => !r.Stopping).Select(r => TryRead(r.Path)).OfType<ActiveFile>().ToList();

    /// <summary>Stands in for a recording file that cannot be read: a fresh id, a made-up name, the first command's
    /// start as the start.</summary>
    private ActiveFile Reconstruct(ShellProcess shell, SpoolContent spool)
    {
        var started = spool.Commands.IsEmpty ? _time.GetUtcNow() : spool.Commands[0].Started;
        return new ActiveFile
        {
            Id = Guid.NewGuid().ToString("D"),
            Name = "session-" + Stamp(started),
            Shell = ShellProcess.ProgramName(shell.Pid) is { } program && Shells.Contains(program) ? program : "",
            ShellPid = shell.Pid,
            ShellStartTime = shell.StartTime,
            Started = started,
            Hostname = Environment.MachineName,
        };
    }

    private SpoolContent ReadSpool(string key) =>
        RecordingFiles.ReadIfExists(_files.Spool(key), Spool.MaxBytes) is { } content ? Spool.Parse(content) : SpoolContent.Empty;

    private static ActiveFile? TryRead(string path)
    {
        try
        {
            return RecordingFiles.ReadIfExists(path, ActiveFile.MaxBytes) is { } content ? ActiveFile.Parse(content) : null;
        }
        catch (Exception e) when (e is FormatException or RecordingStateException or IOException)
        {
            return null;
        }
    }

    /// <summary>Removes a recording's own files: the spool and scratch file first, its recording file last, so that an
    /// interruption leaves it to be found again.</summary>
    private void RemoveState(string key, string recordingFile)
    {
        DurableFile.Delete(_files.Spool(key));
        DurableFile.Delete(_files.Line(key));
        DurableFile.Delete(recordingFile);
    }

    private static void TryRename(string from, string to)
    {
        try
        {
            DurableFile.Rename(from, to);
        }
        catch (IOException)
        {
            // Left as .stopping: the next recovery pass saves it.
        }
    }

    private string Stamp(DateTimeOffset time) =>
        TimeZoneInfo.ConvertTime(time, _time.LocalTimeZone).ToString("yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture);

    private static ImmutableSortedDictionary<string, string> CapturedEnvironment()
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var name in EnvironmentAllowList)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value)
            {
                builder[name] = value;
            }
        }

        return builder.ToImmutable();
    }

    private static ActiveRecording Describe(ActiveFile active, int commandCount) =>
        new(active.Name, active.Id, active.Shell, active.ShellPid, active.Started, commandCount);
}
