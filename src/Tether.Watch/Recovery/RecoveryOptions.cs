using System.Collections.Immutable;

namespace Tether.Watch;

/// <summary>
/// How recovery children run (see <see cref="RecoveryRunner"/>): how long they may take, how much of their output is
/// kept, which environment they get and how long they get to stop at shutdown.
/// </summary>
public sealed record RecoveryOptions
{
    /// <summary>The default <see cref="Timeout"/>: 30 s.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="Grace"/>: 5 s.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(5);

    /// <summary>The default <see cref="CaptureBytes"/>: 64 KiB per stream.</summary>
    public const long DefaultCaptureBytes = 64 * 1024;

    /// <summary>The <c>PATH</c> a child gets when the environment is not inherited.</summary>
    public const string ClearedPath = "/usr/bin:/bin";

    private readonly TimeSpan _timeout = DefaultTimeout;
    private readonly TimeSpan _grace = DefaultGrace;
    private readonly long _captureBytes = DefaultCaptureBytes;
    private readonly IReadOnlyDictionary<string, string> _environment = ImmutableDictionary<string, string>.Empty;

    /// <summary>
    /// How long a recovery may run. When it runs out the child's whole tree gets SIGTERM, then <see cref="Grace"/>, then
    /// SIGKILL, and the recovery ends as <see cref="Outcome.TimedOut"/>. Must be positive and at most
    /// <see cref="Durations.LongestWait"/> (about 49.7 days, the longest a timer can wait).
    /// </summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        init => _timeout = value > TimeSpan.Zero && value <= Durations.LongestWait
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Timeout), value, $"The recovery timeout must be positive and at most {Durations.Format(Durations.LongestWait)}.");
    }

    /// <summary>
    /// Bytes of stdout and of stderr kept per child (the first ones; the rest is read and dropped, so the child never
    /// blocks). Only the kept lengths and whether anything was dropped are reported, never the output. At least 1.
    /// </summary>
    public long CaptureBytes
    {
        get => _captureBytes;
        init => _captureBytes = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(CaptureBytes), value, "The recovery capture must be at least 1 byte.");
    }

    /// <summary>
    /// Variables set explicitly for every child (<c>--recovery-env K=V</c>), applied last: an explicit <c>PATH</c> replaces
    /// <see cref="ClearedPath"/>. Names must be non-empty without <c>=</c> or NUL, values without NUL (checked when a
    /// <see cref="RecoveryRunner"/> is created). Values never appear in logs or audit rows.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get => _environment;
        init => _environment = value ?? throw new ArgumentNullException(nameof(Environment));
    }

    /// <summary>
    /// When false (the default) a child's environment is cleared to <c>PATH=/usr/bin:/bin</c> plus <see cref="Environment"/>;
    /// when true (<c>--recovery-inherit-env</c>) it inherits the watcher's whole environment plus <see cref="Environment"/>.
    /// </summary>
    public bool InheritEnvironment { get; init; }

    /// <summary>
    /// How long a child's tree gets between SIGTERM and SIGKILL, both at shutdown (<see cref="RecoveryRunner.DisposeAsync"/>)
    /// and after a <see cref="Timeout"/>. Zero kills at once; at most <see cref="Durations.LongestWait"/>.
    /// </summary>
    public TimeSpan Grace
    {
        get => _grace;
        init => _grace = value >= TimeSpan.Zero && value <= Durations.LongestWait
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Grace), value, $"The recovery grace period must be from 0 to {Durations.Format(Durations.LongestWait)}.");
    }
}
