namespace Tether.Supervisor;

/// <summary>Where a service's output is kept (<c>logs:</c>): <c>.tether/logs/NAME.log</c>, rotated at <see cref="MaxSize"/>, at most <see cref="Keep"/> old files.</summary>
/// <param name="MaxSize">Bytes after which the file is rotated.</param>
/// <param name="Keep">Rotated files kept (<c>NAME.log.1</c> … <c>NAME.log.KEEP</c>).</param>
public sealed record LogPolicy(long MaxSize, int Keep)
{
    /// <summary>10 MiB, keep 3.</summary>
    public static LogPolicy Default { get; } = new(10 * 1024 * 1024, 3);
}
