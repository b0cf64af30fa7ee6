namespace Tether.Journaling;

/// <summary>One argument of a captured command; a secret one is recorded as <c>***</c>.</summary>
/// <param name="Value">The argument.</param>
/// <param name="IsSecret">Whether it must never be written.</param>
public readonly record struct CapturedArgument(string Value, bool IsSecret)
{
    /// <summary>An argument that may be recorded (unless it looks like a secret, see <see cref="ArgumentRedaction"/>).</summary>
    public static CapturedArgument Plain(string value) => new(value, false);

    /// <summary>An argument that is never recorded.</summary>
    public static CapturedArgument Secret(string value) => new(value, true);

    /// <summary>A plain argument.</summary>
    public static implicit operator CapturedArgument(string value) => Plain(value);

    /// <summary>Shows <c>***</c> for a secret.</summary>
    public override string ToString() => IsSecret ? ArgumentRedaction.Mask : Value;
}
