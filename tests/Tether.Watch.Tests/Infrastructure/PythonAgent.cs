using System.Globalization;

namespace Tether.Watch.Tests;

/// <summary>
/// A heartbeat agent in another process: python3 (see <see cref="PythonSender"/>) sending valid VLP v0.2 frames to a
/// Unix socket, the CRC-32C computed in Python. The frames name the agent's own pid, or any pid given (a spoofer). The
/// agent prints its pid, sends its beats, prints <c>sent</c>, then holds (sleeps) until it is killed or exits at once.
/// </summary>
internal static class PythonAgent
{
    /// <summary>argv: socket path, frame pid (<c>self</c> or a number), beats, seconds between beats, <c>hold</c> or <c>exit</c>.</summary>
    private const string Script = """
        import os, socket, struct, sys, time

        def crc32c(data):
            crc = 0xFFFFFFFF
            for byte in data:
                crc ^= byte
                for _ in range(8):
                    crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
            return crc ^ 0xFFFFFFFF

        def frame(pid, nonce):
            head = struct.pack('<HBBIQQI', 0x4156, 2, 0, pid, time.monotonic_ns(), nonce, 0)
            return head + struct.pack('<I', crc32c(head))

        path, claimed, beats, every, then = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
        pid = os.getpid() if claimed == 'self' else int(claimed)
        print(os.getpid(), flush=True)
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        for nonce in range(1, beats + 1):
            if nonce > 1:
                time.sleep(every)
            s.sendto(frame(pid, nonce), path)
        print('sent', flush=True)
        if then == 'hold':
            time.sleep(600)
        """;

    /// <summary>The agent as a command: <paramref name="beats"/> beats <paramref name="every"/> apart, naming <paramref name="framePid"/> (null: its own pid).</summary>
    public static Command Command(string socketPath, int beats, TimeSpan every, int? framePid = null, bool hold = true) =>
        PythonSender.Command(
            Script,
            socketPath,
            framePid?.ToString(CultureInfo.InvariantCulture) ?? "self",
            beats.ToString(CultureInfo.InvariantCulture),
            every.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            hold ? "hold" : "exit");

    /// <summary>
    /// Starts an agent that beats with its own pid and then holds; returns the running process (dispose it: that kills
    /// it) and the pid its frames carry, once it has said so.
    /// </summary>
    public static async Task<(RunningProcess Process, int Pid)> StartAsync(string socketPath, int beats, TimeSpan every)
    {
        var process = await ProcessRunner.Default.StartAsync(Command(socketPath, beats, every));
        try
        {
            var line = await process.WaitForLineAsync(l => l.Length > 0 && char.IsAsciiDigit(l[0]), Bounds.Eventually, OutputStreams.Stdout);
            return (process, int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }
}
