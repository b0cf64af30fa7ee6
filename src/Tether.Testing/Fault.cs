namespace Tether.Testing;

/// <summary>
/// A failure a <see cref="FaultInjectingRunner"/> injects in place of a call: an error thrown at start (spawn failure,
/// program not found, any exception), or a run that ends badly (timeout, signal, non-zero exit) played through a real
/// <see cref="RunningProcess"/> as a <see cref="Reply"/>.
/// </summary>
public sealed class Fault
{
    private Fault(string description, Func<Invocation, Exception>? error, Reply? reply)
    {
        Description = description;
        Error = error;
        Reply = reply;
    }

    /// <summary>What the fault does, for messages.</summary>
    public string Description { get; }

    internal Func<Invocation, Exception>? Error { get; }

    internal Reply? Reply { get; }

    /// <summary>The start fails with <see cref="SpawnFailedException"/> (by default errno 11, EAGAIN: a transient resource shortage).</summary>
    public static Fault SpawnFailure(string reason = "injected fault: resource temporarily unavailable", int errno = 11) =>
        new($"spawn failure ({reason})", i => new SpawnFailedException(i.Program, errno, reason), null);

    /// <summary>The start fails with <see cref="ProgramNotFoundException"/>.</summary>
    public static Fault ProgramNotFound() =>
        new("program not found", i => new ProgramNotFoundException(i.Program, []), null);

    /// <summary>The start fails with the exception <paramref name="create"/> builds.</summary>
    public static Fault Throw(Func<Invocation, Exception> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new("exception", create, null);
    }

    /// <summary>The run times out (see <see cref="Testing.Reply.TimedOut"/>), after writing <paramref name="stdout"/>.</summary>
    public static Fault TimedOut(string stdout = "") => new("timeout", null, Testing.Reply.TimedOut(stdout));

    /// <summary>The run is killed by <paramref name="signal"/> (null: an unknown signal).</summary>
    public static Fault Signalled(Signal? signal = null) => new(signal is { } s ? $"killed by {s}" : "killed by a signal", null, Testing.Reply.Signalled(signal));

    /// <summary>The run exits with <paramref name="code"/>, writing <paramref name="stderr"/>.</summary>
    public static Fault Exit(int code, string stderr = "") => new($"exit {code}", null, Testing.Reply.Fail(code, stderr));

    /// <inheritdoc/>
    public override string ToString() => Description;
}
