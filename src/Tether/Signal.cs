using System.Globalization;

namespace Tether;

/// <summary>
/// A POSIX signal, by its Linux number. Parse names the way users write them:
/// <c>TERM</c>, <c>SIGTERM</c>, <c>sigterm</c> or <c>15</c>.
/// </summary>
public readonly record struct Signal
{
    private static readonly (string Name, int Number)[] Known =
    [
        ("HUP", 1), ("INT", 2), ("QUIT", 3), ("ILL", 4), ("TRAP", 5), ("ABRT", 6), ("BUS", 7), ("FPE", 8),
        ("KILL", 9), ("USR1", 10), ("SEGV", 11), ("USR2", 12), ("PIPE", 13), ("ALRM", 14), ("TERM", 15),
        ("STKFLT", 16), ("CHLD", 17), ("CONT", 18), ("STOP", 19), ("TSTP", 20), ("TTIN", 21), ("TTOU", 22),
        ("URG", 23), ("XCPU", 24), ("XFSZ", 25), ("VTALRM", 26), ("PROF", 27), ("WINCH", 28), ("IO", 29),
        ("PWR", 30), ("SYS", 31),
    ];

    /// <summary>Creates a signal from its number (1–64).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The number is not a valid Linux signal.</exception>
    public Signal(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 64);
        Number = number;
    }

    /// <summary>The signal number.</summary>
    public int Number { get; }

    /// <summary>The conventional name without the SIG prefix, e.g. <c>TERM</c>; <c>RT</c>+n for real-time signals.</summary>
    public string Name
    {
        get
        {
            foreach (var (name, number) in Known)
            {
                if (number == Number)
                {
                    return name;
                }
            }

            return Number >= 34 ? "RTMIN+" + (Number - 34).ToString(CultureInfo.InvariantCulture) : Number.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>SIGHUP (1).</summary>
    public static Signal Hangup => new(1);
    /// <summary>SIGINT (2).</summary>
    public static Signal Interrupt => new(2);
    /// <summary>SIGQUIT (3).</summary>
    public static Signal Quit => new(3);
    /// <summary>SIGKILL (9): cannot be caught.</summary>
    public static Signal Kill => new(9);
    /// <summary>SIGUSR1 (10).</summary>
    public static Signal User1 => new(10);
    /// <summary>SIGUSR2 (12).</summary>
    public static Signal User2 => new(12);
    /// <summary>SIGPIPE (13): what a writer gets when its reader is gone.</summary>
    public static Signal Pipe => new(13);
    /// <summary>SIGTERM (15): the default stop signal.</summary>
    public static Signal Terminate => new(15);
    /// <summary>SIGCONT (18).</summary>
    public static Signal Continue => new(18);
    /// <summary>SIGSTOP (19): cannot be caught.</summary>
    public static Signal Stop => new(19);

    /// <summary>Parses <c>TERM</c>, <c>SIGTERM</c> (any case) or a number such as <c>15</c>.</summary>
    /// <exception cref="FormatException">The text names no known signal; the message lists the accepted forms.</exception>
    public static Signal Parse(string text)
    {
        if (TryParse(text, out var signal))
        {
            return signal;
        }

        throw new FormatException($"'{text}' is not a signal: use a name such as TERM, SIGINT or KILL, or a number from 1 to 64.");
    }

    /// <summary>Parses a signal name or number; returns false when the text names no signal.</summary>
    public static bool TryParse(string? text, out Signal signal)
    {
        signal = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            if (number is < 1 or > 64)
            {
                return false;
            }

            signal = new Signal(number);
            return true;
        }

        var name = trimmed.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        foreach (var (knownName, knownNumber) in Known)
        {
            if (knownName == name)
            {
                signal = new Signal(knownNumber);
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns <c>SIG</c> + name, e.g. <c>SIGTERM</c>.</summary>
    public override string ToString() => "SIG" + Name;
}
