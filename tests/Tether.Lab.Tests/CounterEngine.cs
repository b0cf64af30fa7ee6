using System.Text.Json;

namespace Tether.Lab.Tests;

/// <summary>
/// The smallest engine the lab can trace: inputs are numbers, the engine adds them and decides "alarm" whenever its
/// total passes a multiple of 100 (a "bug" can move the line). Enough to exercise every generic part of the lab
/// without depending on a real engine.
/// </summary>
internal sealed class CounterEngine(int line = 100) : EngineTrace<long>
{
    public override string Kind => "counter";

    public override int Version => 1;

    public static TraceHeader Header(ulong seed = 0) => new("counter", 1, seed, new byte[] { 1, 2, 3 });

    public override ITraceCodec<long> CreateCodec() => new Codec();

    public override IReplayEngine<long> CreateEngine(TraceHeader header) => new Engine(line);

    public override string Describe(long input) => $"add {input}";

    public override void WriteJson(Utf8JsonWriter writer, long input) => writer.WriteNumber("add", input);

    public static List<(long, ulong)> Decide(IEnumerable<long> inputs, int line = 100)
    {
        var engine = new Engine(line);
        return [.. inputs.Select(i => (i, engine.Handle(i)))];
    }

    private sealed class Codec : ITraceCodec<long>
    {
        private long _last;

        public void Reset() => _last = 0;

        public void Encode(long input, TraceEncoder encoder)
        {
            encoder.WriteVarInt(input - _last);
            _last = input;
        }

        public long Decode(ref TraceDecoder decoder) => _last += decoder.ReadVarInt();

        public TimeSpan TimeOf(long input) => TimeSpan.FromMilliseconds(Math.Abs(input));
    }

    private sealed class Engine(int line) : IReplayEngine<long>
    {
        private long _total;
        private bool _alarmed;

        public ulong Handle(long input)
        {
            _total += input;
            _alarmed = _total / line != (_total - input) / line;
            return _alarmed ? DecisionHash.Add(DecisionHash.Empty, (ulong)_total) : DecisionHash.Empty;
        }

        public IReadOnlyList<string> LastDecisions() => _alarmed ? [$"alarm at {_total}"] : [];
    }
}
