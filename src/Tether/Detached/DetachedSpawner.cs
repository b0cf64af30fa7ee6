using System.Runtime.InteropServices;
using System.Text;
using Tether.Interop;
using Tether.ProcFs;
using Tether.Spawning;

namespace Tether.Detached;

/// <summary>
/// Starts a process that leaves its owner's containment on purpose: <c>posix_spawn</c> with
/// <c>POSIX_SPAWN_SETSID</c> (a new session, so a new process group: no group signal of ours reaches it), in the
/// owner's own cgroup (never a run's leaf, which teardown and the warden kill), never registered with the warden, with
/// stdin on <c>/dev/null</c> and stdout/stderr on <c>/dev/null</c> or files the caller names.
/// </summary>
/// <remarks>
/// Why not a classic double fork: CoreCLR cannot run managed code after <c>fork</c>, and a shell as the intermediate
/// (<c>sh -c 'prog &amp;'</c>) starts background jobs with SIGINT and SIGQUIT ignored — dispositions that survive
/// <c>exec</c>, so the daemon would be deaf to them for life. Instead the daemon is the owner's child while the owner
/// lives: the child reaper collects its exit status when it ends, so it never lingers as a zombie, and when the owner
/// exits first the kernel re-parents it to init (or the nearest subreaper), as a double fork would have.
/// </remarks>
internal static unsafe class DetachedSpawner
{
    // POSIX_SPAWN_SETSID (glibc 2.26+). Kept here rather than in the shared interop file, whose other flags the
    // contained spawn uses.
    private const short SetSession = 0x80;

    public static DetachedProcess Spawn(Command command, string? stdoutPath, string? stderrPath)
    {
        var environment = command.Environment.ResolveEntries();
        if (command.WorkingDirectory is { } cwd && !Directory.Exists(cwd))
        {
            throw new SpawnFailedException(command.Program, Libc.ENOENT,
                File.Exists(cwd) ? $"the working directory '{cwd}' is a file, not a directory" : $"the working directory '{cwd}' does not exist");
        }

        string? pathVariable = null;
        foreach (var (key, value) in environment)
        {
            if (key == "PATH")
            {
                pathVariable = value;
            }
        }

        var path = ProgramResolver.Resolve(command.Program, pathVariable, command.WorkingDirectory);
        var stdin = Pipes.OpenDevNull(write: false);
        var stdout = -1;
        var stderr = -1;
        try
        {
            stdout = stdoutPath is null ? Pipes.OpenDevNull(write: true) : OpenOutput(stdoutPath, command.Program);
            stderr = stderrPath is null ? Pipes.OpenDevNull(write: true) : OpenOutput(stderrPath, command.Program);
            var pid = SpawnOne(path, [command.Program, .. command.Arguments], environment, stdin, stdout, stderr, command.WorkingDirectory, command.Program);

            // Collect its exit status whenever it ends while we live: a detached process must not become our zombie.
            _ = ChildReaper.Instance.Watch(pid);

            // posix_spawn returns after the child exec'd (vfork), so its /proc entry is there; a program that already
            // exited and was reaped has no start time left to report.
            var startTime = ProcStat.Read(pid)?.StartTime ?? 0;
            return new DetachedProcess(pid, startTime, command.ToString());
        }
        finally
        {
            Pipes.Close(stdin);
            Pipes.Close(stdout);
            Pipes.Close(stderr);
        }
    }

    private static int OpenOutput(string path, string program)
    {
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            // Owner-only, appended, never through a symbolic link (the daemon's log is ours to create safely).
            var fd = Libc.open(p, OpenFlags.WriteOnly | OpenFlags.Create | OpenFlags.Append | OpenFlags.NoFollow | OpenFlags.CloseOnExec, 0x180);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw new SpawnFailedException(program, errno, $"cannot open '{path}' for its output: {Libc.ErrorText(errno)}");
            }

            return fd;
        }
    }

    private static int SpawnOne(string path, IReadOnlyList<string> argv, List<KeyValuePair<string, string>> environment, int stdin, int stdout, int stderr, string? workingDirectory, string program)
    {
        var fileActions = stackalloc byte[Libc.FileActionsSize];
        var attributes = stackalloc byte[Libc.SpawnAttrSize];
        var defaultSignals = stackalloc byte[Libc.SigsetSize];
        var signalMask = stackalloc byte[Libc.SigsetSize];
        using var nativeArgv = new NativeStringArray(argv);
        using var nativeEnv = new NativeStringArray(environment);
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        var cwdBytes = workingDirectory is null ? null : Encoding.UTF8.GetBytes(workingDirectory + "\0");

        Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
        Check(Libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
        try
        {
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdin, 0), "adddup2(stdin)");
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdout, 1), "adddup2(stdout)");
            Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stderr, 2), "adddup2(stderr)");
            if (cwdBytes is not null)
            {
                fixed (byte* cwd = cwdBytes)
                {
                    Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, cwd), "addchdir_np");
                }
            }

            // Default dispositions and an empty mask, as for every child: the runtime ignores SIGPIPE, a daemon must not.
            Check(Libc.posix_spawnattr_setflags(attributes, (short)(SetSession | Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK)), "setflags");
            Libc.sigfillset(defaultSignals);
            Check(Libc.posix_spawnattr_setsigdefault(attributes, defaultSignals), "setsigdefault");
            Libc.sigemptyset(signalMask);
            Check(Libc.posix_spawnattr_setsigmask(attributes, signalMask), "setsigmask");

            int pid;
            int rc;
            fixed (byte* p = pathBytes)
            {
                rc = Libc.posix_spawn(out pid, p, fileActions, attributes, nativeArgv.Pointer, nativeEnv.Pointer);
            }

            if (rc != 0)
            {
                throw new SpawnFailedException(program, rc, LinuxSpawner.SpawnErrorText(rc, path, workingDirectory));
            }

            return pid;
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(fileActions);
            Libc.posix_spawnattr_destroy(attributes);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new ProcessIOException($"Preparing the detached spawn failed in {what}: {Libc.ErrorText(rc)}.");
        }
    }
}
