using System.Globalization;
using System.IO.Pipes;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Tether.Spawning;

namespace Tether.Internal;

/// <summary>
/// Guarantees that no run outlives this process, even when it dies by SIGKILL. <c>PR_SET_PDEATHSIG</c> reaches only a
/// direct child, so instead a tiny <c>/bin/sh</c> warden is started once per host process, in its own process group,
/// holding the read end of a pipe whose write end only this process has. Process-group runs are registered with it
/// (<c>+ID PGID</c>, <c>-ID</c> when they end), and so is the host's private directory once it exists (<c>=PATH</c>:
/// the <see cref="CgroupGate"/>'s FIFOs, made only by a host that needs them). When the pipe reaches end-of-file — this
/// process is gone, however it died — the warden SIGKILLs every registered group, writes <c>cgroup.kill</c> of this
/// host's cgroup directory (which holds every cgroup run's leaf), waits for it to empty and removes it, and removes the
/// private directory. A run created inside its leaf is not registered: it is in that directory from
/// its first instruction, and <c>cgroup.kill</c> reaches it there even where it left its process group.
/// </summary>
internal sealed class Warden
{
    // Runs in dash or any POSIX sh; no external commands on the hot path (registrations are shell variables).
    // The removal loop stops as soon as the host's cgroup directory is gone, whoever removed it: a newer host sweeps
    // the directories of dead hosts, and a warden that kept retrying rmdir on a swept directory outlived its host by
    // 11-16 s (issue 11). Internal for the specs, which run it without a host.
    internal const string Script = """
        trap '' INT HUP TERM QUIT TSTP TTIN TTOU PIPE USR1 USR2
        private=$2
        n=0
        while IFS= read -r line; do
          case "$line" in
            +*) id=${line%% *}; id=${id#+}; eval "r_$id=\${line#* }"; n=$((n+1)) ;;
            -*) unset "r_${line#-}"; n=$((n-1)) ;;
            =/*) private=${line#=} ;;
          esac
        done
        if [ "$n" -gt 0 ]; then
          set | while IFS= read -r var; do
            case "$var" in
              r_[0-9]*=*) v=${var#*=}; v=${v#\'}; v=${v%\'}; kill -9 "-$v" 2>/dev/null ;;
            esac
          done
        fi
        if [ -n "$1" ] && [ -d "$1" ]; then
          echo 1 > "$1/cgroup.kill" 2>/dev/null
          n=0
          while [ $n -lt 200 ] && [ -d "$1" ]; do
            for d in "$1"/*/; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
            rmdir "$1" 2>/dev/null && break
            sleep 0.05 2>/dev/null || sleep 1
            n=$((n+1))
          done
        fi
        if [ -n "$private" ] && [ -d "$private" ]; then rm -rf -- "$private" 2>/dev/null; fi
        """;

    private static readonly Lazy<Warden> Shared = new(() => new Warden());
    private readonly Lock _lock = new();
    private readonly Dictionary<long, string> _active = [];
    private Stream? _pipe;
    private long _nextId;
    private string? _privateDirectory;

    private Warden()
    {
    }

    public static Warden Instance => Shared.Value;

    /// <summary>The warden's pid (for diagnostics and tests), or 0 before it started.</summary>
    public int Pid { get; private set; }

    /// <summary>Starts the warden if it is not running yet.</summary>
    public void EnsureStarted()
    {
        lock (_lock)
        {
            if (_pipe is null)
            {
                Start();
            }
        }
    }

    /// <summary>Registers a process group to be killed if this process dies; returns the registration to release.</summary>
    public long RegisterProcessGroup(int pgid)
    {
        lock (_lock)
        {
            var id = ++_nextId;
            var line = $"+{id.ToString(CultureInfo.InvariantCulture)} {pgid.ToString(CultureInfo.InvariantCulture)}";
            _active[id] = line;
            Send(line);
            return id;
        }
    }

    /// <summary>Whether process group <paramref name="pgid"/> is registered now (for the specs).</summary>
    internal bool Guards(int pgid)
    {
        var suffix = " " + pgid.ToString(CultureInfo.InvariantCulture);
        lock (_lock)
        {
            return _active.Values.Any(line => line.EndsWith(suffix, StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// Has the warden remove <paramref name="directory"/> (absolute, owned by this host) when this process dies. A path
    /// with a line break cannot go down the warden's line protocol; it is left to the host's own exit handler.
    /// </summary>
    public void RemoveAtDeath(string directory)
    {
        if (!Path.IsPathRooted(directory) || directory.Contains('\n', StringComparison.Ordinal))
        {
            return;
        }

        lock (_lock)
        {
            _privateDirectory = directory;
            Send("=" + directory);
        }
    }

    public void Release(long id)
    {
        lock (_lock)
        {
            if (_active.Remove(id))
            {
                Send("-" + id.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private void Send(string line)
    {
        if (_pipe is null)
        {
            Start();
        }

        var bytes = Encoding.ASCII.GetBytes(line + "\n");
        try
        {
            _pipe!.Write(bytes);
        }
        catch (IOException)
        {
            // The warden was killed from outside. Start a new one and hand it every live registration.
            _pipe!.Dispose();
            Start();
            foreach (var active in _active.Values)
            {
                _pipe!.Write(Encoding.ASCII.GetBytes(active + "\n"));
            }
        }
    }

    private void Start()
    {
        var (readEnd, writeEnd) = Pipes.Create();
        try
        {
            // A warden started again after it was killed knows the private directory from the start.
            Pid = LinuxSpawner.SpawnWarden(Script, CgroupHierarchy.RunsParent ?? "", _privateDirectory ?? "", readEnd);
        }
        finally
        {
            Pipes.Close(readEnd);
        }

        _pipe = new AnonymousPipeClientStream(PipeDirection.Out, new SafePipeHandle(writeEnd, ownsHandle: true));

        // Reap it if it ever exits while we live, so it does not linger as a zombie.
        _ = ChildReaper.Instance.Watch(Pid);
    }
}
