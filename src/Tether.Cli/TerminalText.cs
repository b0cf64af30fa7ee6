using System.Globalization;
using System.Text;

namespace Tether.Cli;

/// <summary>Text from files (recorded output, file names) made safe to print on a terminal.</summary>
internal static class TerminalText
{
    /// <summary>
    /// <paramref name="text"/> with control characters escaped (<c>\x1b</c>, <c>\t</c>), so that a crafted file or recorded
    /// output cannot move the cursor, recolour or retitle the terminal that prints it.
    /// </summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (c == '\t')
            {
                builder.Append("\\t");
            }
            else if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
