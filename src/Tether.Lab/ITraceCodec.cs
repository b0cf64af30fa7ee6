namespace Tether.Lab;

/// <summary>
/// An engine's input encoding inside a trace. A codec is stateful — deltas against the previous input, small numbers
/// for agents or services it has seen — so one instance encodes (or decodes) one file, in order, and
/// <see cref="Reset"/> starts it afresh for the next file. Encoding must not allocate once warm: it runs on the
/// engine host's hot path.
/// </summary>
/// <typeparam name="TInput">The engine's input type.</typeparam>
public interface ITraceCodec<TInput>
{
    /// <summary>Forgets every delta base and known agent, as at the start of a file.</summary>
    void Reset();

    /// <summary>Appends the encoding of <paramref name="input"/>.</summary>
    void Encode(TInput input, TraceEncoder encoder);

    /// <summary>Reads one input that <see cref="Encode"/> wrote.</summary>
    /// <exception cref="TraceFormatException">The bytes are not an input of this codec.</exception>
    TInput Decode(ref TraceDecoder decoder);

    /// <summary>The input's time (on the engine's clock), for reports.</summary>
    TimeSpan TimeOf(TInput input);
}
