using System.Text;

namespace Tether;

/// <summary>
/// Where a run's standard input comes from. The default is <see cref="Empty"/> (stdin is closed at once,
/// so nothing ever blocks waiting for input). <see cref="FromStream"/> and <see cref="FromLines"/> read a source
/// that can be consumed only once: using the same instance for a second run throws.
/// </summary>
public abstract class StandardInput
{
    private protected StandardInput()
    {
    }

    /// <summary>Stdin is closed immediately: the program reads end-of-file.</summary>
    public static StandardInput Empty { get; } = new EmptyInput();

    /// <summary>
    /// Stdin stays open for <see cref="RunningProcess.WriteStdinAsync(string, CancellationToken)"/> and is closed by
    /// <see cref="RunningProcess.CloseStdinAsync"/> (or when the run ends).
    /// </summary>
    public static StandardInput Interactive { get; } = new InteractiveInput();

    /// <summary>
    /// This process's own stdin (descriptor 0), handed to the program as it is: the program reads it itself, at the
    /// source's speed, and takes exactly what it reads, so whatever reads this stdin after the run finds the rest, as
    /// it would had the program run without Tether. For a pipe or a file: a program reading a terminal would be stopped
    /// (SIGTTIN), since a contained tree is never the terminal's foreground process group. Not with a pseudo-terminal.
    /// </summary>
    public static StandardInput Inherited { get; } = new InheritedInput();

    /// <summary>The text, encoded with the command's encoding (UTF-8 by default), then end-of-file.</summary>
    public static StandardInput FromString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new TextInput(text);
    }

    /// <summary>The bytes, then end-of-file. The memory is read, never kept beyond the run.</summary>
    public static StandardInput FromBytes(ReadOnlyMemory<byte> bytes) => new BytesInput(bytes);

    /// <summary>The file's content, then end-of-file. The file is opened when the run starts.</summary>
    public static StandardInput FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new FileInput(Path.GetFullPath(path));
    }

    /// <summary>The stream's remaining content, then end-of-file. One-shot: a second run with this input throws.</summary>
    /// <param name="stream">A readable stream; it is not disposed by Tether.</param>
    public static StandardInput FromStream(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream given as standard input is not readable.", nameof(stream));
        }

        return new StreamInput(stream);
    }

    /// <summary>
    /// Each line from the source followed by <c>\n</c>, written as the source yields it, then end-of-file.
    /// One-shot: a second run with this input throws.
    /// </summary>
    public static StandardInput FromLines(IAsyncEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return new LinesInput(lines);
    }

    internal virtual bool KeepsOpen => false;

    /// <summary>What kind of source this is (test doubles key cassettes on it).</summary>
    internal abstract StandardInputKind Kind { get; }

    /// <summary>The bytes an in-memory source feeds (text encoded with <paramref name="encoding"/>), else null.</summary>
    internal virtual byte[]? ContentBytes(Encoding encoding) => null;

    /// <summary>The absolute path of a file source, else null.</summary>
    internal virtual string? FilePath => null;

    /// <summary>Checks the source before a run uses it; marks a one-shot source as used and throws when it was used before.</summary>
    internal virtual void Claim()
    {
    }

    /// <summary>Writes the whole input to <paramref name="destination"/>. Does not close it.</summary>
    internal abstract Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken);

    internal abstract string Describe();

    private sealed class EmptyInput : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Empty;

        internal override Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken) => Task.CompletedTask;

        internal override string Describe() => "empty";
    }

    private sealed class InteractiveInput : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Interactive;

        internal override bool KeepsOpen => true;

        internal override Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken) => Task.CompletedTask;

        internal override string Describe() => "interactive";
    }

    private sealed class InheritedInput : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Inherited;

        internal override Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken) => Task.CompletedTask;

        internal override string Describe() => "host's own";
    }

    private sealed class TextInput(string text) : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Text;

        internal override byte[] ContentBytes(Encoding encoding) => encoding.GetBytes(text);

        internal override async Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken)
        {
            var bytes = encoding.GetBytes(text);
            await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }

        internal override string Describe() => $"text ({text.Length} chars)";
    }

    private sealed class BytesInput(ReadOnlyMemory<byte> bytes) : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Bytes;

        internal override byte[] ContentBytes(Encoding encoding) => bytes.ToArray();

        internal override async Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken) =>
            await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);

        internal override string Describe() => $"bytes ({bytes.Length})";
    }

    private sealed class FileInput(string path) : StandardInput
    {
        internal override StandardInputKind Kind => StandardInputKind.File;

        internal override string FilePath => path;

        internal override void Claim()
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The file given as standard input, '{path}', does not exist.", path);
            }
        }

        internal override async Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken)
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (file.ConfigureAwait(false))
            {
                await file.CopyToAsync(destination, 81920, cancellationToken).ConfigureAwait(false);
            }
        }

        internal override string Describe() => "file";
    }

    private abstract class OneShotInput : StandardInput
    {
        private int _claimed;

        internal override void Claim()
        {
            if (Interlocked.Exchange(ref _claimed, 1) != 0)
            {
                throw new InvalidOperationException(
                    $"This standard input ({Describe()}) was already used by an earlier run and can be read only once; create a new StandardInput for each run.");
            }
        }
    }

    private sealed class StreamInput(Stream stream) : OneShotInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Stream;

        internal override Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken) =>
            stream.CopyToAsync(destination, 81920, cancellationToken);

        internal override string Describe() => "stream";
    }

    private sealed class LinesInput(IAsyncEnumerable<string> lines) : OneShotInput
    {
        internal override StandardInputKind Kind => StandardInputKind.Lines;

        internal override async Task WriteToAsync(Stream destination, Encoding encoding, CancellationToken cancellationToken)
        {
            await foreach (var line in lines.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                var bytes = encoding.GetBytes(line + "\n");
                await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        internal override string Describe() => "line source";
    }
}

/// <summary>The kinds of <see cref="StandardInput"/> source.</summary>
internal enum StandardInputKind
{
    Empty,
    Interactive,
    Inherited,
    Text,
    Bytes,
    File,
    Stream,
    Lines,
}
