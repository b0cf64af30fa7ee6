namespace Tether.Supervisor;

/// <summary>What a service runs: a program and its arguments (no shell), or a script given to <c>/bin/sh -c</c>.</summary>
public abstract record ServiceCommand
{
    private ServiceCommand()
    {
    }

    /// <summary>The program and its arguments, run without a shell (the YAML list form).</summary>
    /// <param name="Arguments">The program first, then its arguments; never empty.</param>
    public sealed record Exec(IReadOnlyList<string> Arguments) : ServiceCommand
    {
        /// <inheritdoc/>
        public override string ToString() => string.Join(' ', Arguments);
    }

    /// <summary>A script run by <c>/bin/sh -c</c> (the YAML <c>shell:</c> form), chosen explicitly.</summary>
    /// <param name="Script">The script text.</param>
    public sealed record Shell(string Script) : ServiceCommand
    {
        /// <inheritdoc/>
        public override string ToString() => "sh -c " + Script;
    }

    /// <summary>The argument vector to execute: the list itself, or <c>/bin/sh -c SCRIPT</c>.</summary>
    public IReadOnlyList<string> ToArguments() => this switch
    {
        Exec exec => exec.Arguments,
        Shell shell => ["/bin/sh", "-c", shell.Script],
        _ => throw new InvalidOperationException("Unknown command form."),
    };
}
