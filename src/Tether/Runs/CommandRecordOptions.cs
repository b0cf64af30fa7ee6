using Tether.Text;

namespace Tether;

/// <summary>How <see cref="CommandRecord"/> writes a command: which secrets it masks and how much output it keeps.</summary>
public sealed record CommandRecordOptions
{
    /// <summary>The rules for secrets in the program, the arguments and the output; default <see cref="RedactionPolicy.Default"/>.</summary>
    public RedactionPolicy Redaction { get; init; } = RedactionPolicy.Default;

    /// <summary>The most UTF-8 bytes kept of each of stdout and stderr, head and tail, with a <c>[cut N bytes]</c>
    /// marker between them; default 16 KiB.</summary>
    public int MaxOutputBytes { get; init; } = 16 * 1024;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Redaction);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutputBytes, Utf8Text.MinBudget, nameof(MaxOutputBytes));
    }
}
