using System.Text;
using System.Text.Json;
using Tether.Testing.Tests.Infrastructure;

namespace Tether.Testing.Tests;

/// <summary>
/// Output that is not valid UTF-8 survives a cassette byte for byte: it is stored as base64 (<c>stdout_b64</c>,
/// <c>stderr_b64</c>) next to its text, only when the text cannot give the bytes back, and a replay plays the bytes
/// through every verb (docs/formats/cassette.md, "Output that is not text").
/// </summary>
public sealed class NonTextOutputSpecs
{
    private static readonly IProcessRunner NothingRuns = new ScriptedRunner();

    /// <summary>100 random bytes from a fixed seed: not valid UTF-8 (checked), the same in every run.</summary>
    private static readonly byte[] Noise = RandomBytes(seed: 20261207, count: 100);

    private static readonly byte[] OtherNoise = RandomBytes(seed: 7, count: 100);

    [Fact]
    public void The_noise_is_not_valid_UTF_8()
    {
        Assert.ThrowsAny<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Noise));
        Assert.ThrowsAny<DecoderFallbackException>(() => new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(OtherNoise));
    }

    [Fact]
    public async Task Random_bytes_recorded_through_the_bytes_verb_replay_byte_identical_through_every_verb()
    {
        // Arrange
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("noise.json");
        var inner = new ScriptedRunner().On("noise", Reply.Ok().WithStdoutBytes(Noise).WithStderrBytes(OtherNoise));
        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            var recorded = await recorder.OutputBytesAsync(new Command("noise")).Soon();
            Assert.Equal(Noise, recorded.Stdout);
            await recorder.SaveAsync().Soon();
        }

        // Act
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var bytes = await player.OutputBytesAsync(new Command("noise")).Soon();
        ProcessResult<byte[]> streamed;
        await using (var process = await player.StartAsync(new Command("noise")).Soon())
        {
            streamed = await process.WaitBytesAsync().Soon();
        }

        var text = await player.OutputStringAsync(new Command("noise")).Soon();

        // Assert
        Assert.Equal(Noise, bytes.Stdout);
        Assert.Equal(OtherNoise, bytes.Stderr);
        Assert.Equal(Noise, streamed.Stdout);
        Assert.Equal(OtherNoise, streamed.Stderr);
        Assert.Equal(Encoding.UTF8.GetString(Noise), text.Stdout);
    }

    [Fact]
    public async Task Random_bytes_recorded_through_a_started_process_replay_byte_identical()
    {
        // Arrange: the streaming path records what the process wrote when it ends.
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("streamed.json");
        var inner = new ScriptedRunner().On("noise", Reply.Ok().WithStdoutBytes(Noise));
        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            await using (var process = await recorder.StartAsync(new Command("noise")).Soon())
            {
                await process.WaitAsync().Soon();
            }

            await recorder.SaveAsync().Soon();
        }

        // Act
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var bytes = await player.OutputBytesAsync(new Command("noise")).Soon();
        ProcessResult<byte[]> streamed;
        await using (var process = await player.StartAsync(new Command("noise")).Soon())
        {
            streamed = await process.WaitBytesAsync().Soon();
        }

        // Assert
        Assert.Equal(Noise, bytes.Stdout);
        Assert.Equal(Noise, streamed.Stdout);
        Assert.Empty(streamed.Stderr);
    }

    [Fact]
    public async Task Bytes_a_real_program_writes_are_recorded_through_the_text_verb_and_replay_exactly()
    {
        // Arrange: /bin/cat copies a file of random bytes; the recording asks for text, as RunAsync does.
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("cat.json");
        var input = scratch.File("noise.bin");
        await File.WriteAllBytesAsync(input, Noise);
        var cat = new Command("/bin/cat").WithArguments(input);
        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, ProcessRunner.Default))
        {
            await recorder.OutputStringAsync(cat).Soon();
            await recorder.SaveAsync().Soon();
        }

        // Act
        await using var player = new RecordReplayRunner(cassette, CassetteMode.Replay, NothingRuns);
        var replayed = await player.OutputBytesAsync(cat).Soon();

        // Assert
        Assert.Equal(100, replayed.Stdout.Length);
        Assert.Equal(Noise, replayed.Stdout);
    }

    [Fact]
    public async Task Only_output_that_is_not_text_gets_the_bytes_extension_and_the_file_passes_the_strict_reader()
    {
        // Arrange
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("mixed.json");
        var inner = new ScriptedRunner()
            .On("noise", Reply.Ok("text before ").WithStdoutBytes(Noise).WithStderr("a warning\n"))
            .On("text", Reply.Ok("grüße 日本語\n"));
        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            await recorder.OutputBytesAsync(new Command("noise")).Soon();
            await recorder.OutputBytesAsync(new Command("text")).Soon();
            await recorder.SaveAsync().Soon();
        }

        // Act
        var entries = ProcesskitFixtureSpecs.StrictReader.Read(await File.ReadAllBytesAsync(cassette));
        var loaded = Cassette.Load(cassette).Entries;

        // Assert: the text stays readable (invalid bytes as U+FFFD), the bytes are exact, valid text has no extension.
        Assert.Equal(2, entries.Count);
        Assert.Equal([.. "text before "u8, .. Noise], Convert.FromBase64String(entries[0]["stdout_b64"].GetString()!));
        Assert.StartsWith("text before ", entries[0]["stdout"].GetString(), StringComparison.Ordinal);
        Assert.Contains('\uFFFD', entries[0]["stdout"].GetString()!);
        Assert.False(entries[0].ContainsKey("stderr_b64"));
        Assert.False(entries[1].ContainsKey("stdout_b64"));
        Assert.Equal(JsonValueKind.String, entries[1]["stdout"].ValueKind);
        Assert.Equal([.. "text before "u8, .. Noise], loaded[0].StdoutBytes!.Value.ToArray());
        Assert.Null(loaded[1].StdoutBytes);
    }

    [Fact]
    public async Task A_secret_in_output_that_is_not_text_never_reaches_the_file()
    {
        // Arrange: a secret flag's value runs on into bytes that are not text, so only the redacted text is kept.
        using var scratch = new ScratchDirectory();
        var cassette = scratch.File("secret.json");
        byte[] output = [.. "login --token=hunter2"u8, 0xFF, 0xFE, .. "rest\n"u8];
        var inner = new ScriptedRunner().On("login", Reply.Ok().WithStdoutBytes(output));
        await using (var recorder = new RecordReplayRunner(cassette, CassetteMode.Record, inner))
        {
            await recorder.OutputBytesAsync(new Command("login")).Soon();
            await recorder.SaveAsync().Soon();
        }

        // Act
        var file = await File.ReadAllTextAsync(cassette);
        var entry = Assert.Single(Cassette.Load(cassette).Entries);

        // Assert
        Assert.DoesNotContain("hunter2", file, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(output), file, StringComparison.Ordinal);
        Assert.DoesNotContain("stdout_b64", file, StringComparison.Ordinal);
        Assert.Contains(RedactionPolicy.Mask, entry.Stdout, StringComparison.Ordinal);
        Assert.Null(entry.StdoutBytes);
    }

    [Fact]
    public void A_hand_written_cassette_with_the_bytes_extension_loads_its_bytes()
    {
        // Arrange: the extension is additive, so any version may carry it; processkit ignores it and reads the text.
        var json = $$"""
            {
              "version": 1,
              "entries": [
                {
                  "program": "head",
                  "args": ["-c", "3", "/dev/urandom"],
                  "stdout": "\uFFFD\uFFFD",
                  "stdout_b64": "{{Convert.ToBase64String([0xC3, 0x28, 0xFF])}}",
                  "stderr": "",
                  "stderr_b64": "",
                  "code": 0
                }
              ]
            }
            """;

        // Act
        var entry = Assert.Single(Cassette.Parse(Encoding.UTF8.GetBytes(json)).Entries);

        // Assert
        Assert.Equal(new byte[] { 0xC3, 0x28, 0xFF }, entry.StdoutBytes!.Value.ToArray());
        Assert.Equal(0, entry.StderrBytes!.Value.Length);
    }

    private static byte[] RandomBytes(int seed, int count)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
