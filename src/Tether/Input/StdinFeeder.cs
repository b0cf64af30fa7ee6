using System.Text;

namespace Tether.Input;

/// <summary>
/// The write end of a run's stdin. A source given up front (<see cref="StandardInput.FromString"/>, a file, a stream,
/// lines) is copied in and then closed; an interactive stdin is written by the owner through <see cref="WriteAsync"/>
/// and closed when the owner says so or when the run ends, so that no pipe outlives it.
/// </summary>
internal sealed class StdinFeeder(Stream? stdin, StandardInput input, Encoding encoding, Pipeline pipeline)
{
    private Exception? _sourceFailure;

    /// <summary>The failure of reading the stdin source (not of writing the pipe), reported instead of a result.</summary>
    public Exception? SourceFailure => Volatile.Read(ref _sourceFailure);

    /// <summary>
    /// Feeds the source into stdin and closes it; for an interactive stdin, waits for <paramref name="allStagesExited"/>
    /// and then closes it.
    /// </summary>
    public async Task FeedAsync(Task allStagesExited, CancellationToken cancellationToken)
    {
        if (stdin is null || input.KeepsOpen)
        {
            if (stdin is not null)
            {
                // Interactive: the owner writes; close it when the run ends so nothing leaks.
                try
                {
                    await allStagesExited.ConfigureAwait(false);
                }
                finally
                {
                    await stdin.DisposeAsync().ConfigureAwait(false);
                }
            }

            return;
        }

        await Task.Yield();
        try
        {
            await input.WriteToAsync(stdin, encoding, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The program stopped reading its stdin (it exited, or closed it): that is its right, not an error.
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _sourceFailure, ex);
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // Flushing into a pipe nobody reads.
            }
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to an interactive stdin and flushes them.</summary>
    /// <exception cref="InvalidOperationException">The stdin is not interactive, or it was closed.</exception>
    /// <exception cref="ProcessIOException">The process no longer reads its stdin.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var pipe = Interactive();
        try
        {
            await pipe.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            throw new InvalidOperationException("Stdin was already closed; it cannot be written again.");
        }
        catch (IOException ex)
        {
            throw new ProcessIOException($"'{pipeline}' no longer reads its stdin: {ex.Message}", ex);
        }
    }

    /// <summary>Closes an interactive stdin so the process reads end-of-file; closing twice is harmless.</summary>
    public async ValueTask CloseAsync()
    {
        var pipe = Interactive();
        await pipe.DisposeAsync().ConfigureAwait(false);
    }

    private Stream Interactive()
    {
        if (!input.KeepsOpen || stdin is null)
        {
            throw new InvalidOperationException(
                "This process's stdin is not interactive; start the command with .WithStdin(StandardInput.Interactive) to write to it.");
        }

        return stdin;
    }
}
