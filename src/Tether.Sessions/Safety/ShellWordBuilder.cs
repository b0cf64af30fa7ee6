using System.Text;

namespace Tether.Sessions;

/// <summary>A word being read: its unquoted value, and for each of its characters the position in the original line it
/// came from (so that a script nested in a quoted argument can point back into the line).</summary>
internal sealed class ShellWordBuilder
{
    private readonly StringBuilder _value = new();
    private readonly List<int> _origin = [];

    public ShellWordBuilder(int start) => Start = start;

    /// <summary>Where the word starts in the parser's text.</summary>
    public int Start { get; }

    /// <summary>Where the word ends (exclusive) in the parser's text.</summary>
    public int End { get; set; }

    /// <summary>True when some part of the word was quoted or escaped (so it is never a reserved word, and an empty
    /// <c>''</c> still counts as a word).</summary>
    public bool Quoted { get; private set; }

    /// <summary>How many characters of the value precede the first quoted one (all of them when none is quoted): an
    /// assignment's <c>=</c> must fall in this part.</summary>
    public int UnquotedPrefix { get; private set; } = int.MaxValue;

    public int Length => _value.Length;

    public string Value => _value.ToString();

    public IReadOnlyList<int> Origin => _origin;

    public void Add(char c, int origin, bool quoted)
    {
        if (quoted)
        {
            MarkQuoted();
        }

        _value.Append(c);
        _origin.Add(origin);
    }

    public void Add(string text, int origin, bool quoted)
    {
        foreach (var c in text)
        {
            Add(c, origin, quoted);
        }
    }

    public void MarkQuoted()
    {
        if (!Quoted)
        {
            Quoted = true;
            UnquotedPrefix = _value.Length;
        }
    }

    /// <summary>True for <c>NAME=value</c>, <c>NAME+=value</c> and <c>NAME[i]=value</c> with the name and the
    /// <c>=</c> unquoted.</summary>
    public bool IsAssignment => AssignmentEqualsAt(Value) is var n && n > 0 && n < UnquotedPrefix;

    /// <summary>The position of the <c>=</c> of an assignment (<c>NAME=</c>, <c>NAME+=</c>, <c>NAME[…]=</c>), or -1.</summary>
    public static int AssignmentEqualsAt(string word)
    {
        if (word.Length == 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return -1;
        }

        var i = 1;
        while (i < word.Length && (char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
        {
            i++;
        }

        if (i < word.Length && word[i] == '[')
        {
            var close = word.IndexOf(']', i);
            if (close < 0)
            {
                return -1;
            }

            i = close + 1;
        }

        if (i < word.Length && word[i] == '+')
        {
            i++;
        }

        return i < word.Length && word[i] == '=' ? i : -1;
    }
}
