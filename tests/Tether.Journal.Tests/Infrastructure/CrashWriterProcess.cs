using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tether.Journaling.Tests.Infrastructure;

/// <summary>
/// One run of tests/Tether.Journal.CrashWriter (copied next to the specs). Collects its stdout as raw bytes so that a
/// line cut by the kill is recognised (no newline) and ignored. Disposing kills it if it is still alive.
/// </summary>
internal sealed class CrashWriterProcess : IDisposable
{
    private static readonly string ProgramPath = Path.Combine(AppContext.BaseDirectory, "Tether.Journal.CrashWriter");

    private readonly Process _process;
    private readonly MemoryStream _stdout = new();
    private readonly Lock _gate = new();
    private readonly Task _pump;
    private readonly StringBuilder _stderr = new();

    private CrashWriterProcess(Process process)
    {
        _process = process;
        _pump = Task.Run(PumpAsync);
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                if (e.Data is not null && _stderr.Length < 16_384)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static CrashWriterProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(ProgramPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new CrashWriterProcess(Process.Start(start) ?? throw new InvalidOperationException("The crash writer did not start."));
    }

    /// <summary>The complete lines printed so far (a line without its newline yet is left out).</summary>
    public IReadOnlyList<string> Lines()
    {
        byte[] bytes;
        lock (_gate)
        {
            bytes = _stdout.ToArray();
        }

        var end = Array.LastIndexOf(bytes, (byte)'\n');
        return end < 0 ? [] : Encoding.UTF8.GetString(bytes, 0, end).Split('\n');
    }

    /// <summary>The acknowledged appends printed so far: seq → (writer, n).</summary>
    public IReadOnlyList<(ulong Seq, int Writer, int N)> Acks() =>
        Lines().Where(l => l.StartsWith("ack ", StringComparison.Ordinal)).Select(l =>
        {
            var parts = l.Split(' ');
            return (ulong.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture));
        }).ToList();

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits until at least <paramref name="count"/> lines matching <paramref name="predicate"/> were printed.</summary>
    public async Task WaitForLinesAsync(Func<string, bool> predicate, int count = 1)
    {
        var deadline = DateTime.UtcNow + Bounds.Eventually;
        while (Lines().Count(predicate) < count)
        {
            if (_process.HasExited)
            {
                await _pump;
                if (Lines().Count(predicate) >= count)
                {
                    return;
                }

                throw new InvalidOperationException($"The crash writer exited with {_process.ExitCode} before printing enough: {Stderr}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The crash writer printed {Lines().Count(predicate)} of {count} expected lines. stderr: {Stderr}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits until an append was acknowledged or the writer is gone (a writer told to tear its tail kills itself).</summary>
    public async Task WaitForAckOrExitAsync()
    {
        var deadline = DateTime.UtcNow + Bounds.Eventually;
        while (!_process.HasExited && !Lines().Any(l => l.StartsWith("ack ", StringComparison.Ordinal)))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The crash writer acknowledged nothing. stderr: {Stderr}");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>SIGKILL, then waits until it is reaped and its stdout fully read.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false); // SIGKILL on Unix
        }

        await _process.WaitForExitAsync().WaitAsync(Bounds.Eventually);
        await _pump.WaitAsync(Bounds.Eventually);
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[16 * 1024];
        var stream = _process.StandardOutput.BaseStream;
        while (true)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            lock (_gate)
            {
                _stdout.Write(buffer, 0, read);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
