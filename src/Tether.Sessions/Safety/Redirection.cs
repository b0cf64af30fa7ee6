namespace Tether.Sessions;

/// <summary>
/// A redirection of a <see cref="SimpleCommand"/>: <c>&gt; out.txt</c>, <c>2&gt;&gt; err.log</c>, <c>&amp;&gt; /dev/null</c>,
/// <c>&lt;&lt;EOF</c>.
/// </summary>
/// <param name="Operator">The operator with its file descriptor, as written: <c>&gt;</c>, <c>2&gt;</c>, <c>&gt;&gt;</c>,
/// <c>&gt;|</c>, <c>&amp;&gt;</c>, <c>&gt;&amp;</c>, <c>&lt;</c>, <c>&lt;&gt;</c>, <c>&lt;&lt;</c>, <c>&lt;&lt;-</c>,
/// <c>&lt;&lt;&lt;</c>.</param>
/// <param name="Target">The file, descriptor, here-document delimiter or here-string, unquoted and unexpanded.</param>
/// <param name="HereDocument">The body of a here-document (without its delimiter line); null for other
/// redirections, and for a here-document whose body is not on the line.</param>
public sealed record Redirection(string Operator, string Target, string? HereDocument = null)
{
    /// <summary>True when the redirection writes to <see cref="Target"/> as a file: <c>&gt;</c>, <c>&gt;&gt;</c>,
    /// <c>&gt;|</c>, <c>&amp;&gt;</c>, <c>&amp;&gt;&gt;</c>, <c>&lt;&gt;</c>, or <c>&gt;&amp;</c> with a file name
    /// (not a descriptor number or <c>-</c>).</summary>
    public bool Writes => Bare switch
    {
        ">" or ">>" or ">|" or "&>" or "&>>" or "<>" => true,
        ">&" => Target.Length > 0 && Target != "-" && !Target.All(char.IsAsciiDigit),
        _ => false,
    };

    /// <summary>True when the redirection replaces the contents of <see cref="Target"/>: it <see cref="Writes"/> and
    /// does not append (<c>&gt;&gt;</c>) or open read-write (<c>&lt;&gt;</c>).</summary>
    public bool Overwrites => Writes && Bare is not (">>" or "&>>" or "<>");

    private string Bare => Operator.AsSpan().TrimStart("0123456789").ToString();
}
