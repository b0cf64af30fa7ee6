using System.Globalization;
using System.Runtime.InteropServices;
using Tether.Interop;

namespace Tether.Spawning;

/// <summary>
/// Carries a stage's process attributes (<see cref="Command.User"/>, umask, session, priorities, resource limits) into
/// the child, each before the program's first instruction. <c>posix_spawn</c> runs no code of ours in the child, so
/// each attribute takes one of three routes:
/// <list type="bullet">
/// <item><b>A spawn attribute</b>: a new session (<c>POSIX_SPAWN_SETSID</c>, glibc 2.26+).</item>
/// <item><b>The hold</b>: niceness, I/O priority and resource limits can be set on another process by pid, so the
/// child is held before its exec by the <see cref="Internal.CgroupGate"/> (the same moment that puts it into its cgroup) and
/// they are set on it then with <c>setpriority</c>, <c>ioprio_set</c> and <c>prlimit</c>. Setting them on this
/// process around the spawn instead would change them for every thread of the host (rlimits and the umask are
/// per process), and raising them back afterwards needs privileges the host may not have.</item>
/// <item><b>An exec shim</b>: the umask and the credentials can only be changed by the process itself, so the stage
/// starts as <c>/bin/sh -c 'umask …; exec "$@"'</c> and/or <c>setpriv --reuid --regid --groups -- PROGRAM</c>
/// (util-linux), each of which sets its part and execs the next. Cost: one more exec each.</item>
/// </list>
/// </summary>
internal static class SpawnAttributes
{
    /// <summary>glibc's <c>POSIX_SPAWN_SETSID</c>.</summary>
    public const short SetSessionFlag = 0x80;

    // $1: the umask in octal; $2: "=VALUE" when the program's environment has PWD, "" when it has none (the shell
    // exports its own PWD at startup, which must not leak into a cleared or allow-listed environment).
    private const string UmaskShim =
        "umask \"$1\" || exit 125; if [ -n \"$2\" ]; then export PWD=\"${2#=}\"; else unset PWD; fi; shift 2; exec \"$@\"";

    private static readonly string[] SetprivLocations = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv", "/sbin/setpriv"];

    private static readonly Lazy<string?> Setpriv = new(() => SetprivLocations.FirstOrDefault(File.Exists));

    /// <summary>True when the stage needs to be held before exec (see the class remarks).</summary>
    public static bool NeedsHold(Command stage) =>
        stage.Niceness is not null || stage.IoPriority is not null || !stage.ResourceLimits.IsEmpty;

    /// <summary>Refuses, before anything is created, what this process or host cannot give the pipeline's stages.</summary>
    public static void Validate(Pipeline pipeline, bool holdAvailable)
    {
        var stages = pipeline.Stages;
        for (var i = 0; i < stages.Length; i++)
        {
            var stage = stages[i];
            if (stage.NewSession && stages.Length > 1)
            {
                throw new UnsupportedException(
                    $"A new session was asked for '{stage.Program}' in a pipeline of {stages.Length} stages; only a single command can have one, because the other stages could not join its process group from another session.");
            }

            if (stage.User is { } user)
            {
                var euid = Libc.geteuid();
                if (euid != 0)
                {
                    throw new SpawnFailedException(stage.Program, Libc.EPERM,
                        $"running it as {user} needs root, but this process runs as uid {euid.ToString(CultureInfo.InvariantCulture)}");
                }

                if (Setpriv.Value is null)
                {
                    throw new UnsupportedException(
                        $"Running '{stage.Program}' as another user needs setpriv (util-linux), which was not found in {string.Join(", ", SetprivLocations)}.");
                }
            }

            if (NeedsHold(stage) && !holdAvailable)
            {
                throw new UnsupportedException(
                    $"Niceness, I/O priority and resource limits for '{stage.Program}' are set while the child is held before its exec, which needs /proc/self/task/TID/children (CONFIG_PROC_CHILDREN) and a private FIFO; this host has neither.");
            }
        }
    }

    /// <summary>
    /// Wraps <paramref name="argv"/> (argv[0] is the program as given; <paramref name="path"/> what to exec) in the shims
    /// the stage needs, innermost first; returns what to exec.
    /// </summary>
    public static string Wrap(Command stage, List<string> argv, string path, string? pwd)
    {
        if (stage.User is { } user)
        {
            var groups = user.SupplementaryGroups.IsEmpty
                ? "--clear-groups"
                : "--groups=" + string.Join(',', user.SupplementaryGroups.Select(g => g.ToString(CultureInfo.InvariantCulture)));
            path = Prepend(argv, path, [Setpriv.Value!,
                "--reuid=" + user.UserId.ToString(CultureInfo.InvariantCulture),
                "--regid=" + user.GroupId.ToString(CultureInfo.InvariantCulture),
                groups,
                "--"]);
        }

        if (stage.Umask is { } umask)
        {
            path = Prepend(argv, path, ["/bin/sh", "-c", UmaskShim, "tether-umask", Convert.ToString(umask, 8).PadLeft(4, '0'), pwd is null ? "" : "=" + pwd]);
        }

        return path;
    }

    /// <summary>
    /// Sets the held child's niceness, I/O priority and resource limits. Returns a <see cref="SpawnFailedException"/>
    /// naming what was refused, or null.
    /// </summary>
    public static unsafe Exception? Apply(Command stage, int pid)
    {
        if (stage.Niceness is { } niceness && Libc.setpriority(Libc.PRIO_PROCESS, (uint)pid, niceness) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return new SpawnFailedException(stage.Program, errno, errno is Libc.EACCES or Libc.EPERM
                ? $"setting its niceness to {niceness} was not permitted (going below this process's niceness needs CAP_SYS_NICE)"
                : $"setting its niceness to {niceness} failed: {Libc.ErrorText(errno)}");
        }

        if (stage.IoPriority is { } ioPriority && Libc.ioprio_set(pid, ioPriority.Encoded) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return new SpawnFailedException(stage.Program, errno, errno is Libc.EACCES or Libc.EPERM
                ? $"setting its I/O priority to {ioPriority} was not permitted (the real-time class needs CAP_SYS_ADMIN)"
                : $"setting its I/O priority to {ioPriority} failed: {Libc.ErrorText(errno)}");
        }

        foreach (var (limit, value) in stage.ResourceLimits)
        {
            var wanted = new Libc.RLimit { Current = value, Maximum = value };
            if (Libc.prlimit(pid, (int)limit, &wanted, null) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return new SpawnFailedException(stage.Program, errno, errno == Libc.EPERM
                    ? $"setting its {limit} limit to {value.ToString(CultureInfo.InvariantCulture)} was not permitted (raising a hard limit needs CAP_SYS_RESOURCE)"
                    : $"setting its {limit} limit to {value.ToString(CultureInfo.InvariantCulture)} failed: {Libc.ErrorText(errno)}");
            }
        }

        return null;
    }

    private static string Prepend(List<string> argv, string path, string[] prefix)
    {
        argv[0] = path;
        argv.InsertRange(0, prefix);
        return prefix[0];
    }
}
