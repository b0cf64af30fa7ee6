using System.Collections.Immutable;
using Tether.Testing.Scripting;

namespace Tether.Testing;

/// <summary>
/// An <see cref="IProcessRunner"/> that answers from rules written by hand, without spawning anything. Rules are tried
/// in the order they were added (the fallback last); the first whose condition holds answers. An invocation no rule
/// answers throws <see cref="UnscriptedInvocationException"/>, naming it.
/// </summary>
/// <remarks>
/// Every reply is played through a real <see cref="RunningProcess"/>, so <c>StartAsync</c>, the capturing and the
/// checking verbs, line handlers, tees, readiness waits, ok exit codes, timeouts, cancellation and stop behave exactly
/// as with <see cref="ProcessRunner"/>. Delays in replies, timeouts and grace periods use <see cref="TimeProvider"/>,
/// so a test can drive them with a manual clock. Thread-safe: rules may be added while calls run; predicates run on
/// the calling thread without any lock held. A pipeline of several stages is not supported (script the stages as
/// separate commands); it throws <see cref="NotSupportedException"/>.
/// </remarks>
public sealed class ScriptedRunner : IProcessRunner
{
    private ImmutableList<Rule> _rules = [];
    private Rule? _fallback;

    /// <summary>Creates a runner whose delays and timeouts use <paramref name="timeProvider"/> (the system clock when null).</summary>
    public ScriptedRunner(TimeProvider? timeProvider = null) => TimeProvider = timeProvider ?? TimeProvider.System;

    /// <summary>The clock for reply delays, timeouts, grace periods and durations.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Answers invocations whose argv (program first) starts with <paramref name="argvPrefix"/>. The program matches
    /// when it is the same string or, for a bare name such as <c>git</c>, when it is a path ending in that name.
    /// </summary>
    public ScriptedRunner On(IEnumerable<string> argvPrefix, Reply reply)
    {
        ArgumentNullException.ThrowIfNull(argvPrefix);
        ArgumentNullException.ThrowIfNull(reply);
        var prefix = argvPrefix.ToImmutableArray();
        if (prefix.IsEmpty)
        {
            throw new ArgumentException("The argv prefix is empty; name at least the program (use Fallback to answer everything).", nameof(argvPrefix));
        }

        return Add(new Rule($"On({Describe(prefix)})", i => i.StartsWith(prefix), [reply]));
    }

    /// <summary>Answers invocations of <paramref name="program"/> (any arguments).</summary>
    public ScriptedRunner On(string program, Reply reply) => On([program], reply);

    /// <summary>Answers invocations for which <paramref name="predicate"/> is true.</summary>
    public ScriptedRunner When(Func<Invocation, bool> predicate, Reply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return When(predicate, _ => reply);
    }

    /// <summary>Answers invocations for which <paramref name="predicate"/> is true with a reply built from the invocation.</summary>
    public ScriptedRunner When(Func<Invocation, bool> predicate, Func<Invocation, Reply> reply)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        ArgumentNullException.ThrowIfNull(reply);
        return Add(new Rule($"When(#{_rules.Count + 1})", predicate, reply));
    }

    /// <summary>
    /// Answers successive invocations whose argv starts with <paramref name="argvPrefix"/> with <paramref name="replies"/>
    /// in order; once they are used up, the last one repeats.
    /// </summary>
    public ScriptedRunner OnSequence(IEnumerable<string> argvPrefix, params Reply[] replies)
    {
        ArgumentNullException.ThrowIfNull(argvPrefix);
        ArgumentNullException.ThrowIfNull(replies);
        if (replies.Length == 0)
        {
            throw new ArgumentException("OnSequence needs at least one reply.", nameof(replies));
        }

        var prefix = argvPrefix.ToImmutableArray();
        return Add(new Rule($"OnSequence({Describe(prefix)}, {replies.Length} replies)", i => i.StartsWith(prefix), [.. replies]));
    }

    /// <summary>Answers every invocation that no other rule answers.</summary>
    public ScriptedRunner Fallback(Reply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Volatile.Write(ref _fallback, new Rule("Fallback", _ => true, [reply]));
        return this;
    }

    /// <inheritdoc/>
    public Task<RunningProcess> StartAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        try
        {
            var reply = Answer(pipeline, cancellationToken);
            return Task.FromResult(ScriptedRun.Start(pipeline, reply, TimeProvider, streaming: true, CancellationToken.None));
        }
        catch (Exception ex)
        {
            return Task.FromException<RunningProcess>(ex);
        }
    }

    /// <inheritdoc/>
    public async Task<ProcessResult<byte[]>> OutputBytesAsync(Pipeline pipeline, CancellationToken cancellationToken = default)
    {
        var reply = Answer(pipeline, cancellationToken);
        return await ScriptedRun.OutputBytesAsync(pipeline, reply, TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    private Reply Answer(Pipeline pipeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (pipeline.Stages.Length != 1)
        {
            throw new NotSupportedException($"ScriptedRunner answers single commands; '{pipeline}' has {pipeline.Stages.Length} stages. Run the stages as separate commands in the code under test, or script each one.");
        }

        ScriptedRun.ThrowIfCancelled(pipeline, cancellationToken);

        // As a real spawn does: a one-shot stdin is claimed (a second use throws), a missing stdin file is reported.
        pipeline.First.Stdin.Claim();
        var invocation = Invocation.Of(pipeline.First);
        foreach (var rule in Volatile.Read(ref _rules))
        {
            if (rule.TryAnswer(invocation, out var reply))
            {
                return reply;
            }
        }

        if (Volatile.Read(ref _fallback) is { } fallback && fallback.TryAnswer(invocation, out var fallbackReply))
        {
            return fallbackReply;
        }

        var names = Volatile.Read(ref _rules).Select(r => r.Name).ToList();
        if (Volatile.Read(ref _fallback) is not null)
        {
            names.Add("Fallback");
        }

        throw new UnscriptedInvocationException(invocation, names);
    }

    private ScriptedRunner Add(Rule rule)
    {
        ImmutableInterlocked.Update(ref _rules, rules => rules.Add(rule));
        return this;
    }

    private static string Describe(ImmutableArray<string> prefix) => string.Join(' ', prefix.Select(p => p.Contains(' ', StringComparison.Ordinal) ? $"'{p}'" : p));

    private sealed class Rule
    {
        private readonly Func<Invocation, bool> _predicate;
        private readonly Func<Invocation, Reply>? _build;
        private readonly ImmutableArray<Reply> _replies;
        private int _used;

        public Rule(string name, Func<Invocation, bool> predicate, ImmutableArray<Reply> replies)
        {
            Name = name;
            _predicate = predicate;
            _replies = replies;
        }

        public Rule(string name, Func<Invocation, bool> predicate, Func<Invocation, Reply> build)
        {
            Name = name;
            _predicate = predicate;
            _build = build;
        }

        public string Name { get; }

        public bool TryAnswer(Invocation invocation, out Reply reply)
        {
            reply = null!;
            if (!_predicate(invocation))
            {
                return false;
            }

            if (_build is not null)
            {
                reply = _build(invocation) ?? throw new InvalidOperationException($"The reply function of rule {Name} returned null for {invocation}.");
                return true;
            }

            var index = Interlocked.Increment(ref _used) - 1;
            reply = _replies[Math.Min(index, _replies.Length - 1)];
            return true;
        }
    }
}
