namespace Tether.ProcFs;

/// <summary>
/// The identity of this boot (<c>/proc/sys/kernel/random/boot_id</c>): with a pid and its start time it names a process
/// across reboots. It cannot change while this process lives, so it is read once.
/// </summary>
internal static class BootId
{
    private static readonly Lazy<string?> Value = new(Read);

    /// <summary>This boot's id, or null where it cannot be read (no /proc, or not Linux).</summary>
    public static string? Current => Value.Value;

    private static string? Read()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim() is { Length: > 0 } value ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
