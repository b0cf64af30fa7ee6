using System.Collections.Immutable;
using System.Runtime.ExceptionServices;

namespace Tether.Testing.Cassettes;

/// <summary>
/// Tells a cassette that the test using it failed, for runners that asked (<see cref="RecordReplayRunner.DiscardWhenTestFails"/>).
/// .NET has no "this scope is unwinding because of an exception" signal, so a failed test is recognised by the exception
/// its framework throws when an assertion fails (xUnit, NUnit, MSTest, Shouldly), seen first-chance in the async flow
/// that asked.
/// </summary>
/// <remarks>
/// The first-chance handler is process-wide, so it is installed only while at least one runner is watched and removed
/// with the last: a program that uses cassettes without asking (<c>tether run --cassette</c>) never has its exceptions
/// inspected. Watching is per flow: an assertion failing in a flow that did not inherit the watcher's (another test
/// running in parallel) does not touch it.
/// </remarks>
internal static class TestFailureDetector
{
    private static readonly AsyncLocal<ImmutableList<CassetteSavePolicy>?> s_watchedInFlow = new();
    private static readonly Lock s_lock = new();
    private static readonly HashSet<CassetteSavePolicy> s_watched = [];

    /// <summary>True while the first-chance handler is installed: some runner is watched.</summary>
    public static bool IsInstalled
    {
        get
        {
            lock (s_lock)
            {
                return s_watched.Count > 0;
            }
        }
    }

    /// <summary>
    /// Marks <paramref name="policy"/> failed when a test assertion fails in the current async flow (or a flow started
    /// from it). Must be called synchronously in the test's flow — an async local set inside an awaited method does not
    /// reach its caller.
    /// </summary>
    public static void Watch(CassetteSavePolicy policy)
    {
        lock (s_lock)
        {
            if (!s_watched.Add(policy))
            {
                return;
            }

            if (s_watched.Count == 1)
            {
                AppDomain.CurrentDomain.FirstChanceException += OnFirstChanceException;
            }
        }

        s_watchedInFlow.Value = (s_watchedInFlow.Value ?? []).Add(policy);
    }

    /// <summary>Stops watching <paramref name="policy"/>; removes the handler with the last one watched.</summary>
    public static void Forget(CassetteSavePolicy policy)
    {
        if (s_watchedInFlow.Value is { } inFlow && inFlow.Contains(policy))
        {
            s_watchedInFlow.Value = inFlow.Remove(policy);
        }

        lock (s_lock)
        {
            if (s_watched.Remove(policy) && s_watched.Count == 0)
            {
                AppDomain.CurrentDomain.FirstChanceException -= OnFirstChanceException;
            }
        }
    }

    /// <summary>True for the exceptions test frameworks throw when an assertion fails.</summary>
    public static bool IsTestFailure(Exception exception)
    {
        for (var type = exception.GetType(); type is not null && type != typeof(Exception); type = type.BaseType)
        {
            switch (type.FullName)
            {
                case "Xunit.Sdk.XunitException":
                case "NUnit.Framework.AssertionException":
                case "NUnit.Framework.MultipleAssertException":
                case "Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException":
                case "Shouldly.ShouldAssertException":
                    return true;
            }
        }

        return false;
    }

    private static void OnFirstChanceException(object? sender, FirstChanceExceptionEventArgs e)
    {
        if (s_watchedInFlow.Value is not { IsEmpty: false } watched || !IsTestFailure(e.Exception))
        {
            return;
        }

        var firstLine = e.Exception.Message.Split('\n', 2)[0].Trim();
        foreach (var policy in watched)
        {
            policy.MarkFailed($"a test assertion failed ({e.Exception.GetType().Name}: {firstLine})");
        }
    }
}
