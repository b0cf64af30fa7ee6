namespace Tether.Watch.Tests;

public sealed class GoldenFrameSpecs
{
    [Fact]
    public void The_golden_frame_of_the_specification_encodes_byte_for_byte()
    {
        var frame = new Frame(BeatStatus.Ok, Pid: 2, Timestamp: 0, Nonce: 1, Payload: 0);

        Assert.Equal("56410200020000000000000000000000010000000000000000000000e4116baa", Convert.ToHexString(frame.ToBytes()).ToLowerInvariant());
        Assert.Equal(frame, Frame.Decode(frame.ToBytes()));
    }
}
