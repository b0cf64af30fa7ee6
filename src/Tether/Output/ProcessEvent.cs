namespace Tether;

/// <summary>Something that happened to a running process, in order: started, output lines, exited.</summary>
public abstract record ProcessEvent
{
    private ProcessEvent()
    {
    }

    /// <summary>The process tree started.</summary>
    /// <param name="Pid">The pid of the (last) stage.</param>
    /// <param name="Mechanism">The containment in force.</param>
    public sealed record Started(int Pid, ContainmentMechanism Mechanism) : ProcessEvent;

    /// <summary>A line on stdout, without its line terminator.</summary>
    public sealed record StdoutLine(string Text) : ProcessEvent;

    /// <summary>A line on stderr, without its line terminator.</summary>
    public sealed record StderrLine(string Text) : ProcessEvent;

    /// <summary>The run ended; no event follows.</summary>
    public sealed record Exited(Outcome Outcome) : ProcessEvent;
}

/// <summary>Which output stream(s) a readiness wait watches.</summary>
[Flags]
public enum OutputStreams
{
    /// <summary>Standard output.</summary>
    Stdout = 1,

    /// <summary>Standard error.</summary>
    Stderr = 2,

    /// <summary>Both.</summary>
    Both = Stdout | Stderr,
}
