namespace Tether.Supervisor;

/// <summary>
/// Numbers services' fingerprints in the order a recording first meets them, so a trace can say "the same settings" or
/// "other settings" without holding the settings (which may carry secrets). Kept for the whole recording: a reload in
/// a later file must still tell changed settings from unchanged ones.
/// </summary>
internal sealed class FingerprintNumbers
{
    private readonly Dictionary<string, int> _numbers = new(StringComparer.Ordinal);

    /// <summary>The number of <paramref name="fingerprint"/>, given it now if it is new.</summary>
    public int Of(string fingerprint)
    {
        if (!_numbers.TryGetValue(fingerprint, out var number))
        {
            number = _numbers.Count;
            _numbers.Add(fingerprint, number);
        }

        return number;
    }
}
