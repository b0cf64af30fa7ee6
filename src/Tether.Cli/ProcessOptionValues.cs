using System.Globalization;

namespace Tether.Cli;

/// <summary>
/// Reads the options that say how a program is started (its user, mask, priorities, limits and terminal), or throws
/// <see cref="UsageException"/> with a message that names the option, quotes what was given and says what to write.
/// </summary>
internal static class ProcessOptionValues
{
    /// <summary>The names <c>--ulimit</c> knows, as <c>ulimit</c> and <c>docker run --ulimit</c> call them.</summary>
    private static readonly Dictionary<string, ResourceLimit> LimitNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["nofile"] = ResourceLimit.OpenFiles,
        ["core"] = ResourceLimit.CoreFileSize,
        ["cpu"] = ResourceLimit.CpuSeconds,
        ["nproc"] = ResourceLimit.Processes,
    };

    /// <summary>Reads <c>COLSxROWS</c>, such as <c>120x40</c>.</summary>
    public static TerminalSize TerminalSize(string option, string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var columns)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var rows)
            && columns is >= 1 and <= ushort.MaxValue && rows is >= 1 and <= ushort.MaxValue)
        {
            return new TerminalSize(columns, rows);
        }

        throw new UsageException($"{option}: '{text}' is not a terminal size: write COLSxROWS, such as {option}=120x40, or just {option}.");
    }

    /// <summary>Reads a user name, or <c>UID</c> or <c>UID:GID</c>; a UID alone runs with the group of the same number.</summary>
    public static ProcessUser User(string option, string text)
    {
        if (text.Length == 0)
        {
            throw new UsageException($"{option}: the user is empty: write a user name or UID[:GID], such as {option} nobody or {option} 1000:1000.");
        }

        if (char.IsAsciiDigit(text[0]))
        {
            var parts = text.Split(':');
            if (parts.Length <= 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && (parts.Length == 1 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                var gid = parts.Length == 2 ? int.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture) : uid;
                return new ProcessUser(uid, gid);
            }

            throw new UsageException($"{option}: '{text}' is not a user: write a user name or UID[:GID], such as {option} 1000:1000.");
        }

        try
        {
            return ProcessUser.FromName(text);
        }
        catch (ArgumentException)
        {
            throw new UsageException($"{option}: no user is called '{text}' on this host: give an existing user name, or UID[:GID].");
        }
    }

    /// <summary>Reads an octal file mode creation mask such as <c>022</c> or <c>0077</c>.</summary>
    public static int? Umask(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var digits = text.Trim();
        if (digits.Length is < 1 or > 4 || digits.Any(c => c is < '0' or > '7'))
        {
            throw new UsageException($"{option}: '{text}' is not an octal mask: write three octal digits, such as {option} 022 or {option} 077.");
        }

        var mask = digits.Aggregate(0, (value, digit) => (value * 8) + (digit - '0'));
        if (mask > 0x1FF)
        {
            throw new UsageException($"{option}: '{text}' is more than 777: write three octal digits, such as {option} 022.");
        }

        return mask;
    }

    /// <summary>Reads <c>idle</c>, <c>be:N</c> or <c>rt:N</c> (N from 0, highest, to 7).</summary>
    public static IoPriority? IoPriority(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        var value = text.Trim().ToLowerInvariant();
        if (value == "idle")
        {
            return Tether.IoPriority.Idle;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0
            && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var level)
            && level is >= 0 and <= 7)
        {
            switch (value[..colon])
            {
                case "be" or "best-effort":
                    return Tether.IoPriority.BestEffort(level);
                case "rt" or "realtime" or "real-time":
                    return Tether.IoPriority.RealTime(level);
            }
        }

        throw new UsageException($"{option}: '{text}' is not an I/O priority: write idle, be:N or rt:N with N from 0 (highest) to 7, such as {option} be:7.");
    }

    /// <summary>Reads a number of CPUs such as <c>0.5</c> or <c>2</c>.</summary>
    public static double? Cpus(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cpus) || !double.IsFinite(cpus) || cpus < 0.01)
        {
            throw new UsageException($"{option}: '{text}' is not a number of CPUs: write one of at least 0.01, such as {option} 0.5 or {option} 2.");
        }

        return cpus;
    }

    /// <summary>Reads every <c>NAME=VALUE</c> of <c>--ulimit</c> (each option may hold a comma list); a later one wins.</summary>
    public static IReadOnlyDictionary<ResourceLimit, ulong> ResourceLimits(string option, IEnumerable<string> texts)
    {
        var limits = new Dictionary<ResourceLimit, ulong>();
        foreach (var item in texts.SelectMany(text => text.Split(',')))
        {
            var (name, value) = OptionValues.Assignment(option, item.Trim());
            if (!LimitNames.TryGetValue(name, out var limit))
            {
                throw new UsageException($"{option}: '{name}' is not a limit tether sets: write nofile, core, cpu or nproc, such as {option} nofile=1024.");
            }

            if (string.Equals(value, "unlimited", StringComparison.OrdinalIgnoreCase))
            {
                limits[limit] = ulong.MaxValue;
            }
            else if (ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                limits[limit] = number;
            }
            else
            {
                throw new UsageException($"{option}: '{item.Trim()}' has no number: write {name}=N or {name}=unlimited, such as {option} {name}=1024.");
            }
        }

        return limits;
    }
}
