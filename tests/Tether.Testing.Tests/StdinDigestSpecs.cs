using System.Text;
using Tether.Testing.Cassettes;

namespace Tether.Testing.Tests;

/// <summary>
/// The stdin part of the match key: 64-bit FNV-1a over one tag byte (1 for in-memory content, 2 for a file) and then
/// the content or the path, as processkit computes it.
/// </summary>
public sealed class StdinDigestSpecs : IDisposable
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    private readonly string _directory = Directory.CreateTempSubdirectory("tether-stdin-digest-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Plain_FNV_1a_matches_the_published_test_vectors(string input, ulong expected)
    {
        // Act
        var digest = StdinDigest.Fnv1a(Encoding.ASCII.GetBytes(input));

        // Assert
        Assert.Equal(expected, digest);
    }

    [Theory]
    [InlineData("hi\n", 9096354768885456815UL)] // the worked example in docs/formats/cassette.md
    [InlineData("SELECT 1;\n", 7807043836047440810UL)]
    [InlineData("banana\napple\n", 4996163940878704399UL)]
    [InlineData("hello", 16597885345899070764UL)]
    [InlineData("grüße\n", 11853743842853364031UL)]
    [InlineData("", 12638152016183539244UL)]
    public void Text_is_keyed_on_tag_1_and_its_UTF_8_bytes(string text, ulong expected)
    {
        // Arrange: the expected values were computed apart from Tether (Python, the same algorithm).
        var input = StandardInput.FromString(text);

        // Act
        var digest = StdinDigest.Of(input, Utf8);

        // Assert
        Assert.Equal(expected, digest);
        Assert.Equal(ReferenceFnv1a([1, .. Utf8.GetBytes(text)]), digest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("grüße, 日本語 and 🙂\n")]
    public void Equal_bytes_give_equal_digests_whether_given_as_text_or_bytes(string text)
    {
        // Arrange
        var fromString = StandardInput.FromString(text);
        var fromBytes = StandardInput.FromBytes(Utf8.GetBytes(text));

        // Act
        var stringDigest = StdinDigest.Of(fromString, Utf8);
        var bytesDigest = StdinDigest.Of(fromBytes, Utf8);

        // Assert
        Assert.NotNull(stringDigest);
        Assert.Equal(stringDigest, bytesDigest);
    }

    [Fact]
    public void Bytes_are_keyed_as_they_are_whatever_the_encoding()
    {
        // Arrange
        byte[] bytes = [0x00, 0xff, 0xfe, 0x80, 0x0a];

        // Act
        var underUtf8 = StdinDigest.Of(StandardInput.FromBytes(bytes), Utf8);
        var underLatin1 = StdinDigest.Of(StandardInput.FromBytes(bytes), Encoding.Latin1);

        // Assert
        Assert.Equal(ReferenceFnv1a([1, .. bytes]), underUtf8);
        Assert.Equal(underUtf8, underLatin1);
    }

    [Fact]
    public void Text_is_keyed_on_the_bytes_the_command_feeds_in_its_own_encoding()
    {
        // Arrange
        var input = StandardInput.FromString("grüße");

        // Act
        var utf8 = StdinDigest.Of(input, Utf8);
        var latin1 = StdinDigest.Of(input, Encoding.Latin1);

        // Assert
        Assert.Equal(ReferenceFnv1a([1, .. Encoding.Latin1.GetBytes("grüße")]), latin1);
        Assert.NotEqual(utf8, latin1);
    }

    [Fact]
    public void Different_content_gives_different_digests()
    {
        // Act
        var a = StdinDigest.Of(StandardInput.FromString("apple\n"), Utf8);
        var b = StdinDigest.Of(StandardInput.FromString("apple"), Utf8);

        // Assert
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_file_is_keyed_on_tag_2_and_its_absolute_path_and_is_never_read()
    {
        // Arrange: the file does not exist; only its name counts.
        var absolute = Path.Combine(_directory, "input.txt");
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, absolute);
        Assert.False(Path.IsPathRooted(relative));

        // Act
        var fromAbsolute = StdinDigest.Of(StandardInput.FromFile(absolute), Utf8);
        var fromRelative = StdinDigest.Of(StandardInput.FromFile(relative), Utf8);

        // Assert
        Assert.Equal(ReferenceFnv1a([2, .. Utf8.GetBytes(absolute)]), fromAbsolute);
        Assert.Equal(fromAbsolute, fromRelative);
        Assert.NotEqual(ReferenceFnv1a([2, .. Utf8.GetBytes(relative)]), fromRelative);
        Assert.False(File.Exists(absolute));
    }

    [Fact]
    public void The_same_file_keeps_its_digest_when_its_content_changes()
    {
        // Arrange
        var path = Path.Combine(_directory, "input.txt");
        File.WriteAllText(path, "first");
        var before = StdinDigest.Of(StandardInput.FromFile(path), Utf8);

        // Act
        File.WriteAllText(path, "second, longer");
        var after = StdinDigest.Of(StandardInput.FromFile(path), Utf8);

        // Assert
        Assert.Equal(before, after);
    }

    [Fact]
    public void The_tag_keeps_a_path_apart_from_the_same_text()
    {
        // Act
        var asFile = StdinDigest.Of(StandardInput.FromFile("/dev/null"), Utf8);
        var asText = StdinDigest.Of(StandardInput.FromString("/dev/null"), Utf8);

        // Assert
        Assert.Equal(2556007685343025279UL, asFile);
        Assert.NotEqual(asFile, asText);
    }

    [Fact]
    public void Empty_stdin_has_no_digest_while_empty_text_has_one()
    {
        // Act
        var empty = StdinDigest.Of(StandardInput.Empty, Utf8);
        var emptyText = StdinDigest.Of(StandardInput.FromString(""), Utf8);

        // Assert
        Assert.Null(empty);
        Assert.Equal(ReferenceFnv1a([1]), emptyText);
    }

    public static TheoryData<string> UnkeyableSources => ["stream", "lines", "interactive", "inherited"];

    [Theory]
    [MemberData(nameof(UnkeyableSources))]
    public void One_shot_and_interactive_stdin_cannot_be_keyed(string kind)
    {
        // Arrange
        var input = Unkeyable(kind);

        // Act
        var error = Assert.Throws<NotSupportedException>(() => StdinDigest.Of(input, Utf8));

        // Assert
        Assert.Contains("FromString, FromBytes or FromFile", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(UnkeyableSources))]
    public async Task A_cassette_refuses_one_shot_and_interactive_stdin_before_running_anything(string kind)
    {
        // Arrange
        var path = Path.Combine(_directory, "cassette.json");
        var inner = new RecordingRunner(new ScriptedRunner().Fallback(Reply.Ok()));
        using var runner = new RecordReplayRunner(path, CassetteMode.Record, inner: inner);

        // Act
        var error = await Record.ExceptionAsync(() => runner.OutputStringAsync(new Command("cat").WithStdin(Unkeyable(kind))));

        // Assert
        Assert.IsType<NotSupportedException>(error);
        Assert.Empty(inner.Invocations);
        Assert.Equal(0, runner.RecordedCount);
    }

    [Fact]
    public void The_digest_is_written_to_the_cassette_as_a_plain_unsigned_number()
    {
        // Arrange: a digest above 2^53, which a JSON reader using doubles would round.
        var digest = StdinDigest.Of(StandardInput.FromString("hello"), Utf8);
        var entry = new CassetteEntry { Program = "cat", StdinDigest = digest, HasStdin = true, Outcome = new Outcome.Exited(0) };

        // Act
        var json = Encoding.UTF8.GetString(new Cassette([entry]).ToJson());

        // Assert
        Assert.True(digest > (1UL << 53));
        Assert.Contains("\"stdin_digest\": 16597885345899070764,", json, StringComparison.Ordinal);
    }

    private static StandardInput Unkeyable(string kind) => kind switch
    {
        "stream" => StandardInput.FromStream(new MemoryStream("data"u8.ToArray())),
        "lines" => StandardInput.FromLines(Lines()),
        "inherited" => StandardInput.Inherited,
        _ => StandardInput.Interactive,
    };

    private static async IAsyncEnumerable<string> Lines()
    {
        await Task.Yield();
        yield return "line";
    }

    /// <summary>64-bit FNV-1a written apart from the library's, straight from the definition.</summary>
    private static ulong ReferenceFnv1a(byte[] bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash = unchecked(hash * 1099511628211UL);
        }

        return hash;
    }
}
