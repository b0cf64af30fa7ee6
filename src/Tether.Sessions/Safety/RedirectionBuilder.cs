namespace Tether.Sessions;

/// <summary>A redirection being read; a here-document's body arrives after the next newline.</summary>
internal sealed class RedirectionBuilder(string @operator, ShellWordBuilder target)
{
    public string Operator { get; } = @operator;

    public ShellWordBuilder TargetWord { get; } = target;

    public string Target { get; } = target.Value;

    /// <summary>True for <c>&lt;&lt;&lt; word</c>: the word is the command's input.</summary>
    public bool IsHereString => Operator.EndsWith("<<<", StringComparison.Ordinal);

    public string? HereDocument { get; set; }
}
