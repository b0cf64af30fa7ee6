using System.Collections.Frozen;
using System.Text;

namespace Tether.Watch;

/// <summary>
/// The snake_case names enum values have in exported events and metric labels (<c>StallOnWire</c> →
/// <c>stall_on_wire</c>), computed once per enum type. An undefined value is written as its number.
/// </summary>
internal static class SnakeCaseNames
{
    public static string Of<T>(T value)
        where T : struct, Enum => Cache<T>.Names.TryGetValue(value, out var name) ? name : value.ToString();

    public static string Convert(string pascalCase)
    {
        var builder = new StringBuilder(pascalCase.Length + 4);
        for (var i = 0; i < pascalCase.Length; i++)
        {
            var c = pascalCase[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static class Cache<T>
        where T : struct, Enum
    {
        public static readonly FrozenDictionary<T, string> Names =
            Enum.GetValues<T>().Distinct().ToFrozenDictionary(v => v, v => Convert(v.ToString()));
    }
}
