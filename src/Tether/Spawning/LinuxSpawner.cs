using System.Collections.Immutable;
using System.Net.Sockets;
using System.Text;
using Tether.Internal;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>
/// Starts a pipeline's stages with <c>posix_spawn</c> (glibc uses <c>clone(CLONE_VM|CLONE_VFORK)</c>, safe under
/// CoreCLR, which cannot run managed code after <c>fork</c>): every stage in one new process group, signal
/// dispositions reset (the runtime ignores SIGPIPE; children must not inherit that), stdio wired with close-on-exec
/// socket pairs towards the host and pipes between stages. In cgroup mode each stage is held before exec by the
/// <see cref="CgroupGate"/> until it has been moved into the run's leaf (or, where the gate is unavailable, goes through
/// a tiny <c>/bin/sh</c> exec shim that writes its own pid into <c>cgroup.procs</c> and then execs the program), so the
/// program and all its descendants are inside the cgroup before the program's first instruction.
/// </summary>
internal static unsafe class LinuxSpawner
{
    private const string Shell = "/bin/sh";
    // $1: the leaf's cgroup.procs; $2: "=VALUE" when the program's environment has PWD, "" when it has none
    // (the shell exports its own PWD at startup, which must not leak into a cleared or allow-listed environment).
    private const string CgroupShim =
        "echo $$ > \"$1\" || exit 125; if [ -n \"$2\" ]; then export PWD=\"${2#=}\"; else unset PWD; fi; shift 2; exec \"$@\"";

    /// <summary>Makes spawns in this async flow use the shell shim instead of the gate (so tests cover the fallback).</summary>
    internal static AsyncLocal<bool> ForceShim { get; } = new();

    /// <summary>Makes spawns in this async flow go through the gate even where they could be created inside the cgroup
    /// (so tests cover the gate on hosts that do not need it), and process-group spawns too (so that the benchmarks
    /// can tell the gate's hand-off from the cgroup's own cost).</summary>
    internal static AsyncLocal<bool> ForceGate { get; } = new();

    /// <summary>Whether a stage can be created straight inside its cgroup on this host: glibc's
    /// <c>posix_spawnattr_setcgroup_np</c> (2.39+), else <see cref="CloneIntoCgroup"/>.</summary>
    internal static bool CanSpawnIntoCgroup => Libc.HasSpawnIntoCgroup || CloneIntoCgroup.IsAvailable;

    /// <summary>How stages are created inside their cgroup on this host, or null where they go through the gate.</summary>
    internal static string? SpawnIntoCgroupPath =>
        Libc.HasSpawnIntoCgroup ? "posix_spawnattr_setcgroup_np (glibc)" : CloneIntoCgroup.IsAvailable ? "clone3 with CLONE_INTO_CGROUP" : null;

    public static LinuxProcessTree Spawn(Pipeline pipeline, TimeProvider time)
    {
        var stages = pipeline.Stages;

        // Everything that can fail because of bad input fails here, before anything is created.
        var environments = new List<KeyValuePair<string, string>>[stages.Length];
        var paths = new string[stages.Length];
        for (var i = 0; i < stages.Length; i++)
        {
            var stage = stages[i];
            var environment = i > 0 && ReferenceEquals(stage.Environment, stages[i - 1].Environment)
                ? environments[i - 1]
                : stage.Environment.ResolveEntries();
            environments[i] = environment;
            if (stage.WorkingDirectory is { } cwd && !Directory.Exists(cwd))
            {
                throw new SpawnFailedException(stage.Program, Libc.ENOENT,
                    File.Exists(cwd) ? $"the working directory '{cwd}' is a file, not a directory" : $"the working directory '{cwd}' does not exist");
            }

            paths[i] = ProgramResolver.Resolve(stage.Program, ValueOf(environment, "PATH"), stage.WorkingDirectory);
        }

        var mode = pipeline.Containment;
        var report = CgroupHierarchy.Report;
        if (mode == ContainmentMode.Cgroup && !report.CgroupAvailable)
        {
            throw new UnsupportedException($"Cgroup containment was required but is not available: {report.CgroupUnavailableReason}. Use ContainmentMode.Auto or ProcessGroup.");
        }

        // Tree limits are run settings (the last stage's); every stage is held so it joins their groups before exec.
        var terminalSize = pipeline.Last.PseudoTerminal;
        if (terminalSize is not null && stages.Length > 1)
        {
            throw new UnsupportedException($"A pseudo-terminal was asked for a pipeline of {stages.Length} stages; only a single command can run in one.");
        }

        if (terminalSize is not null && pipeline.First.Stdin == StandardInput.Inherited)
        {
            throw new UnsupportedException($"'{pipeline}' was given this process's own stdin and a pseudo-terminal, whose input is what Tether writes to it: leave out one or the other (StandardInput.FromStream forwards a stream into the terminal).");
        }

        if (pipeline.Last.InheritsStdout)
        {
            RefuseInheritedStdout(pipeline);
        }

        if (pipeline.Last.StdoutForwardedTo is not null)
        {
            RefuseForwardedStdout(pipeline);
        }

        var limited = RunLimits.Wanted(pipeline.Last);
        var hold = limited || stages.Any(SpawnAttributes.NeedsHold);
        SpawnAttributes.Validate(pipeline, holdAvailable: !hold || CgroupGate.Instance is not null);
        var leafWanted = mode != ContainmentMode.ProcessGroup && report.CgroupAvailable;
        if (limited)
        {
            RunLimits.Validate(pipeline.Last, leafWanted);
        }

        pipeline.First.Stdin.Claim();
        Warden.Instance.EnsureStarted();
        var leaf = leafWanted ? CgroupHierarchy.CreateLeaf() : null;
        RunLimits? limits = null;
        // Best: create each stage inside the leaf (no hold, no migration). A stage held for its attributes goes through
        // the gate, which then also puts it into the cgroup; so does every cgroup stage where the kernel or glibc
        // cannot create it there, and a stage on a pseudo-terminal: created inside its leaf, a short terminal run's
        // output was lost now and then on a loaded host (PseudoTerminalSpecs, 2 of 9 loaded runs of the suite; none
        // in 6 through the gate), for a reason not found yet.
        var intoLeaf = leaf is not null && !hold && terminalSize is null && !ForceShim.Value && !ForceGate.Value && CanSpawnIntoCgroup;
        var gate = hold || (!ForceShim.Value && ((leaf is not null && !intoLeaf) || ForceGate.Value)) ? CgroupGate.Instance : null;
        var leafFd = -1;

        var toClose = new List<int>();
        var pids = new List<int>(stages.Length);
        int stdinParent = -1, stdoutParent = -1, stderrParent = -1;
        var forwardedStdout = false;
        long wardenId = 0;
        PseudoTerminal? terminal = null;
        Stream? terminalInput = null;
        Stream? terminalOutput = null;
        try
        {
            limits = limited ? RunLimits.Create(pipeline.Last, leaf) : null;
            if (intoLeaf)
            {
                leafFd = leaf!.DirectoryDescriptor(); // the leaf's own: not closed here
            }

            int firstStdin = -1;
            var stderrChild = -1;
            if (terminalSize is { } size)
            {
                // The child's stdio is the terminal's slave, which it opens itself (see SpawnOne).
                terminal = PseudoTerminal.Open(size);
            }
            else
            {
                if (pipeline.First.Stdin == StandardInput.Empty)
                {
                    firstStdin = Pipes.OpenDevNull(write: false);
                }
                else if (pipeline.First.Stdin == StandardInput.Inherited)
                {
                    // The program reads our stdin itself: nothing of ours sits between, nothing is read ahead.
                    firstStdin = Pipes.Duplicate(0);
                }
                else
                {
                    (stdinParent, firstStdin) = Pipes.CreateSocketPair();
                }

                toClose.Add(firstStdin);
                (stderrParent, stderrChild) = Pipes.Create();
                toClose.Add(stderrChild);
            }

            var input = firstStdin;
            for (var i = 0; i < stages.Length; i++)
            {
                var output = -1;
                int nextInput = -1;
                if (terminal is null && i == stages.Length - 1 && stages[i].InheritsStdout)
                {
                    output = Pipes.Duplicate(1);
                }
                else if (terminal is null && i == stages.Length - 1 && stages[i].StdoutForwardedTo is not null)
                {
                    // A plain pipe, which splice(2) can move bytes out of (see StdoutForwarder).
                    (stdoutParent, output) = Pipes.Create();
                    forwardedStdout = true;
                }
                else if (terminal is null && i == stages.Length - 1)
                {
                    (stdoutParent, output) = Pipes.Create();
                    Pipes.TryGrow(output, 256 * 1024);
                }
                else if (terminal is null)
                {
                    (nextInput, output) = Pipes.Create();
                    toClose.Add(nextInput);
                }

                toClose.Add(output);
                var stage = stages[i];
                var pwd = ValueOf(environments[i], "PWD");
                var argv = new List<string>(stage.Arguments.Length + 16) { stage.Program };
                argv.AddRange(stage.Arguments);
                var path = SpawnAttributes.Wrap(stage, argv, paths[i], pwd);
                if (leaf is not null && gate is null && !intoLeaf)
                {
                    argv[0] = path;
                    argv.InsertRange(0, [Shell, "-c", CgroupShim, "tether-shim", leaf.ProcsFile, pwd is null ? "" : "=" + pwd]);
                    path = Shell;
                }

                var processGroup = pids.Count == 0 ? 0 : pids[0];
                int pid;
                if (gate is not null)
                {
                    var (stageInput, stageOutput, stagePath, environment) = (input, output, path, environments[i]);
                    pid = gate.Spawn(
                        slot => SpawnOne(stagePath, argv, environment, stageInput, stageOutput, stderrChild, stage.WorkingDirectory, processGroup, stage.NewSession, stage.Program, slot, terminal?.SlavePath, cgroupFd: -1),
                        leaf?.ProcsFile,
                        hold ? childPid => limits?.Join(childPid) ?? SpawnAttributes.Apply(stage, childPid) : null,
                        out var failure);
                    if (failure is not null)
                    {
                        pids.Add(pid);
                        throw failure;
                    }
                }
                else
                {
                    pid = SpawnOne(path, argv, environments[i], input, output, stderrChild,
                        stage.WorkingDirectory, processGroup, stage.NewSession, stage.Program, gate: null, terminal?.SlavePath, leafFd);
                }

                pids.Add(pid);

                // A tree created inside its leaf needs no registration: it never lives outside the host's cgroup
                // directory, whose cgroup.kill the warden writes when the host dies, and its processes cannot leave
                // it by setsid as they can leave a process group. Every other tree is registered by its group.
                if (i == 0 && !intoLeaf)
                {
                    wardenId = Warden.Instance.RegisterProcessGroup(pid);
                }

                // The child has its copies now; ours must go at once so EOF propagates when a stage exits.
                Pipes.Close(input);
                Pipes.Close(output);
                toClose.Remove(input);
                toClose.Remove(output);
                input = nextInput;
            }

            Pipes.Close(stderrChild);
            toClose.Remove(stderrChild);
            if (terminal is not null)
            {
                terminalInput = pipeline.First.Stdin == StandardInput.Empty ? null : terminal.OpenInput();
                terminalOutput = terminal.StartOutput();
            }
        }
        catch
        {
            if (pids.Count > 0)
            {
                Libc.kill(-pids[0], 9);
                leaf?.Kill();
                limits?.Kill();
                foreach (var pid in pids)
                {
                    Libc.wait4(pid, out _, 0, out _);
                }
            }

            if (wardenId != 0)
            {
                Warden.Instance.Release(wardenId);
            }

            foreach (var fd in toClose)
            {
                Pipes.Close(fd);
            }

            Pipes.Close(stdinParent);
            Pipes.Close(stdoutParent);
            Pipes.Close(stderrParent);
            leaf?.TryRemove();
            limits?.TryRemove();
            terminalInput?.Dispose();
            terminalOutput?.Dispose();
            terminal?.Dispose();
            throw;
        }

        // Without limits (whose figures are read from the leaf at teardown), the leaf is retired as soon as the run's
        // last stage was reaped.
        var retire = leaf is not null && limits is null ? leaf.RetireAfterStages(pids.Count) : null;
        var exits = pids.Select(pid => ChildReaper.Instance.Watch(pid, retire)).ToImmutableArray();
        return new LinuxProcessTree(
            [.. pids],
            exits,
            leaf,
            limits,
            terminal,
            wardenId,
            terminal is not null ? terminalInput : stdinParent < 0 ? null : OpenSocket(stdinParent),
            terminalOutput ?? (stdoutParent < 0 ? Stream.Null : forwardedStdout ? OpenPipe(stdoutParent) : new PipeReadStream(stdoutParent)),
            terminal is not null ? Stream.Null : new PipeReadStream(stderrParent),
            time);
    }

    /// <summary>Starts the owner-death warden: <c>/bin/sh -c SCRIPT tether-warden CGROUP_DIR PRIVATE_DIR</c> in its own process group.</summary>
    public static int SpawnWarden(string script, string cgroupParent, string privateDirectory, int stdinReadEnd)
    {
        var devNull = Pipes.OpenDevNull(write: true);
        try
        {
            return SpawnOne(Shell, [Shell, "-c", script, "tether-warden", cgroupParent, privateDirectory], [new("PATH", "/usr/local/bin:/usr/bin:/bin")],
                stdinReadEnd, devNull, devNull, "/", 0, newSession: false, Shell, gate: null, terminalSlave: null, cgroupFd: -1);
        }
        finally
        {
            Pipes.Close(devNull);
        }
    }

    /// <summary>An inherited stdout never passes through Tether, so nothing that needs to see it can be combined with it.</summary>
    private static void RefuseInheritedStdout(Pipeline pipeline)
    {
        var last = pipeline.Last;
        var needs = last.PseudoTerminal is not null ? "a pseudo-terminal"
            : !last.StdoutTees.IsEmpty ? "stdout tees"
            : !last.StdoutLineHandlers.IsEmpty ? "stdout line handlers"
            : pipeline.IdleTimeout is not null ? "an idle timeout"
            : null;
        if (needs is not null)
        {
            throw new UnsupportedException($"The stdout of '{pipeline}' is inherited, so it never passes through Tether, but {needs} needs to see it: leave out one or the other.");
        }
    }

    /// <summary>A forwarded stdout is moved on by the kernel, so it needs nothing but the handle; see StdoutForwarder.</summary>
    private static void RefuseForwardedStdout(Pipeline pipeline)
    {
        var last = pipeline.Last;
        var needs = last.PseudoTerminal is not null ? "a pseudo-terminal"
            : last.InheritsStdout ? "an inherited stdout"
            : !last.StdoutTees.IsEmpty ? "stdout tees"
            : !last.StdoutLineHandlers.IsEmpty ? "stdout line handlers"
            : null;
        if (needs is not null)
        {
            throw new UnsupportedException($"The stdout of '{pipeline}' is forwarded by the kernel, so it never passes through Tether, but {needs} cannot be combined with that: leave out one or the other.");
        }
    }

    /// <summary>The read end of a plain pipe; the forwarder uses its handle and never reads it as a stream.</summary>
    private static FileStream OpenPipe(int fd) =>
        new(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0);

    private static NetworkStream OpenSocket(int fd) =>
        new(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), ownsSocket: true);

    private static string? ValueOf(List<KeyValuePair<string, string>> environment, string name)
    {
        foreach (var (key, value) in environment)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>
    /// Starts one stage. With <paramref name="cgroupFd"/> (a cgroup directory, else -1) the child is created inside that
    /// cgroup: by glibc where it can, else by <see cref="CloneIntoCgroup"/>.
    /// </summary>
    private static int SpawnOne(string path, IReadOnlyList<string> argv, List<KeyValuePair<string, string>> environment, int stdin, int stdout, int stderr, string? workingDirectory, int processGroup, bool newSession, string program, CgroupGateSlot? gate, byte[]? terminalSlave, int cgroupFd)
    {
        using var nativeArgv = new NativeStringArray(argv);
        using var nativeEnv = new NativeStringArray(environment);
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        var cwdBytes = workingDirectory is null ? null : Encoding.UTF8.GetBytes(workingDirectory + "\0");
        if (cgroupFd >= 0 && !Libc.HasSpawnIntoCgroup)
        {
            int pid;
            int errno;
            fixed (byte* p = pathBytes)
            fixed (byte* cwd = cwdBytes)
            fixed (byte* slave = terminalSlave)
            {
                pid = CloneIntoCgroup.Spawn(p, nativeArgv.Pointer, nativeEnv.Pointer, cwd, slave, stdin, stdout, stderr, processGroup,
                    newSession || terminalSlave is not null, cgroupFd, out errno);
            }

            return errno == 0 ? pid : throw SpawnFailure(errno, program, path, workingDirectory, processGroup);
        }

        var fileActions = stackalloc byte[Libc.FileActionsSize];
        var attributes = stackalloc byte[Libc.SpawnAttrSize];
        var defaultSignals = stackalloc byte[Libc.SigsetSize];
        var signalMask = stackalloc byte[Libc.SigsetSize];

        Check(Libc.posix_spawn_file_actions_init(fileActions), "posix_spawn_file_actions_init");
        Check(Libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
        try
        {
            if (terminalSlave is not null)
            {
                // After setsid (spawn attributes act before file actions), opening the slave without O_NOCTTY makes
                // it the child's controlling terminal, with the child's group in the foreground.
                fixed (byte* slave = terminalSlave)
                {
                    Check(Libc.posix_spawn_file_actions_addopen(fileActions, 0, slave, OpenFlags.ReadWrite, 0), "addopen(terminal)");
                }

                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, 0, 1), "adddup2(terminal, stdout)");
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, 0, 2), "adddup2(terminal, stderr)");
            }
            else
            {
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdin, 0), "adddup2(stdin)");
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stdout, 1), "adddup2(stdout)");
                Check(Libc.posix_spawn_file_actions_adddup2(fileActions, stderr, 2), "adddup2(stderr)");
            }

            if (gate is not null)
            {
                // Held here, before exec, until the gate has moved this child into its cgroup: opening the ready FIFO
                // wakes the gate's thread, opening the release FIFO sleeps until that thread lets the child go.
                const int GateFd = 3;
                fixed (byte* ready = gate.ReadyFifo)
                fixed (byte* release = gate.ReleaseFifo)
                {
                    Check(Libc.posix_spawn_file_actions_addopen(fileActions, GateFd, ready, OpenFlags.WriteOnly | OpenFlags.CloseOnExec, 0), "addopen(gate ready)");
                    Check(Libc.posix_spawn_file_actions_addclose(fileActions, GateFd), "addclose(gate ready)");
                    Check(Libc.posix_spawn_file_actions_addopen(fileActions, GateFd, release, OpenFlags.ReadOnly | OpenFlags.CloseOnExec, 0), "addopen(gate release)");
                }

                Check(Libc.posix_spawn_file_actions_addclose(fileActions, GateFd), "addclose(gate release)");
            }

            if (cwdBytes is not null)
            {
                fixed (byte* cwd = cwdBytes)
                {
                    Check(Libc.posix_spawn_file_actions_addchdir_np(fileActions, cwd), "addchdir_np");
                }
            }

            // A new session also makes the child the leader of a new process group (pgid == pid), which is what the
            // first stage gets otherwise; setpgid would fail for a session leader, so the two never go together.
            var flags = (short)(Libc.POSIX_SPAWN_SETSIGDEF | Libc.POSIX_SPAWN_SETSIGMASK |
                (newSession || terminalSlave is not null ? SpawnAttributes.SetSessionFlag : Libc.POSIX_SPAWN_SETPGROUP) |
                (cgroupFd >= 0 ? Libc.POSIX_SPAWN_SETCGROUP : 0));
            Check(Libc.posix_spawnattr_setflags(attributes, flags), "setflags");
            if (cgroupFd >= 0)
            {
                Check(Libc.posix_spawnattr_setcgroup_np(attributes, cgroupFd), "setcgroup_np");
            }

            Check(Libc.posix_spawnattr_setpgroup(attributes, processGroup), "setpgroup");
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

            return rc == 0 ? pid : throw SpawnFailure(rc, program, path, workingDirectory, processGroup);
        }
        finally
        {
            Libc.posix_spawn_file_actions_destroy(fileActions);
            Libc.posix_spawnattr_destroy(attributes);
        }
    }

    private static SpawnFailedException SpawnFailure(int errno, string program, string path, string? workingDirectory, int processGroup)
    {
        var reason = errno == Libc.EPERM && processGroup != 0
            ? "the pipeline's earlier stages already exited, so the next stage could not join their process group"
            : SpawnErrorText(errno, path, workingDirectory);
        return new SpawnFailedException(program, errno, reason);
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw new ProcessIOException($"Preparing the spawn failed in {what}: {Libc.ErrorText(rc)}.");
        }
    }

    /// <summary>Why <c>posix_spawn</c> of <paramref name="path"/> failed with <paramref name="errno"/>, in a user's words:
    /// the cause the errno stands for here (a missing working directory also reads as ENOENT).</summary>
    internal static string SpawnErrorText(int errno, string path, string? workingDirectory) => errno switch
    {
        Libc.ENOENT when workingDirectory is not null && !Directory.Exists(workingDirectory) => $"the working directory '{workingDirectory}' does not exist",
        Libc.ENOENT => $"'{path}' or its interpreter was not found",
        Libc.EACCES => $"permission denied for '{path}'",
        8 /* ENOEXEC */ => $"'{path}' is not an executable format this system can run (a script without a #! line?)",
        _ => Libc.ErrorText(errno),
    };
}
