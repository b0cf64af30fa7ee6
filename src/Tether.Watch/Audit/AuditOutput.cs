namespace Tether.Watch;

/// <summary>
/// What a <c>complete</c> row says about one output stream of a recovery command: how many bytes were captured and
/// whether the capture was cut at its cap. The output itself is never written to the audit log.
/// </summary>
/// <param name="Bytes">Bytes captured; not negative.</param>
/// <param name="Truncated">True when the stream went past the capture cap.</param>
public readonly record struct AuditOutput(long Bytes, bool Truncated);
