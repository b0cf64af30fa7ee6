namespace Tether.Testing;

/// <summary>
/// A <see cref="ScriptedRunner"/> was asked to run something no rule answers. The message prints the invocation and
/// the rules, so the missing rule is obvious; both with secrets masked by <see cref="RedactionPolicy.Default"/>, as
/// every message and file Tether writes (test output ends up in CI logs).
/// </summary>
/// <remarks>
/// It is an <see cref="InvalidOperationException"/>, not a <see cref="TetherException"/>, on purpose: production code that
/// handles process failures (<c>catch (TetherException)</c>, retries) must never swallow a mistake in the test's script.
/// </remarks>
public sealed class UnscriptedInvocationException : InvalidOperationException
{
    internal UnscriptedInvocationException(Invocation invocation, IReadOnlyList<string> rules)
        : base($"No scripted reply for {invocation}; add a rule for it (On, When, OnSequence or Fallback). Rules: {(rules.Count == 0 ? "none" : string.Join("; ", rules.Select(RedactionPolicy.Default.Redact)))}.")
    {
        Invocation = invocation;
    }

    /// <summary>The invocation nothing answered.</summary>
    public Invocation Invocation { get; }
}
