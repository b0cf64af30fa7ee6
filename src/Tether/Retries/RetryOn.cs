namespace Tether;

/// <summary>Which failed attempts a <see cref="RetryPolicy"/> treats as transient and tries again.</summary>
[Flags]
public enum RetryOn
{
    /// <summary>No failure is retried by category (a <see cref="RetryPolicy.ShouldRetry"/> predicate may still ask).</summary>
    None = 0,

    /// <summary>
    /// A spawn that failed for a reason that may pass: <c>EAGAIN</c>, <c>ENOMEM</c>, <c>EINTR</c>, <c>EMFILE</c>,
    /// <c>ENFILE</c>, <c>ETXTBSY</c>. A missing program, a permission error or a bad working directory never passes by
    /// itself and is never retried.
    /// </summary>
    TransientSpawnFailure = 1,

    /// <summary>The overall or idle timeout ran out.</summary>
    Timeout = 2,

    /// <summary>The program exited with a code that is not ok. Not retried unless asked: most exits are answers.</summary>
    NonZeroExit = 4,

    /// <summary>The program was killed by a signal Tether did not send.</summary>
    Signalled = 8,

    /// <summary>The default: transient spawn failures and timeouts.</summary>
    Default = TransientSpawnFailure | Timeout,
}
