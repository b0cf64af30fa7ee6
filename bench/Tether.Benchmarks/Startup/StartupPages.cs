using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using static Tether.Benchmarks.BenchArguments;

namespace Tether.Benchmarks.Startup;

/// <summary>
/// <c>startup-pages --tether PATH --agent-tether PATH [--symbols DBG] [--seconds N] [--agents N]
/// (--write-order FILE | --check-order FILE)</c>: which pages of the native binary's code an idle <c>tether watch</c>
/// touches, and which managed methods sit on them — the input of <c>src/Tether.Cli/startup.order</c>, the layout that
/// keeps the code start-up runs together (issue 12: an idle watcher in ≤ 15 MB of RSS).
/// <para>
/// It starts <c>PATH watch --socket … --threshold 5s</c> (stdout and stderr on pipes, as <c>watch-idle</c> runs it),
/// lets it settle, starts N <c>tether beat --every 1s</c> agents from the other binary, waits N seconds, and reads which
/// pages of the watcher's code mapping are present (<c>/proc/PID/pagemap</c>). Those are exactly the pages the watcher
/// touched only if nothing else is mapped around them: the kernel maps, on each page fault, the cached pages in a
/// 64 KiB window around it, and the page cache holds what read-ahead fetched. So PATH must be a fresh copy on a file
/// system whose device reads no ahead, with its cache dropped, and the agents must run from another file (their pages
/// would be in the same cache) — <c>eng/startup-order/regenerate.sh</c> sets that up.
/// </para>
/// <para>
/// <c>--write-order</c> writes every managed method (a symbol of <c>__managedcode</c> in the binary's symbols, the
/// <c>Tether.Cli.dbg</c> the publish leaves beside it) that overlaps a touched page, in address order: a page is the
/// finest grain the kernel reports, so a method that shares a page with one that ran is listed too, which costs at
/// most the pages that were touched anyway. <c>--check-order</c> reports the touched pages of managed code that hold
/// no method of the given file: code start-up runs that the layout misses.
/// </para>
/// </summary>
internal static class StartupPages
{
    private const int PageSize = 4096;

    public static async Task<int> RunAsync(string[] args)
    {
        var tether = ValueOf(args, "--tether");
        var agentTether = ValueOf(args, "--agent-tether");
        if (tether is null || !File.Exists(tether) || agentTether is null || !File.Exists(agentTether))
        {
            Console.Error.WriteLine("startup-pages: give the binary to trace with --tether PATH and a copy of it in another file for the agents with --agent-tether PATH (eng/startup-order/regenerate.sh does both).");
            return 2;
        }

        tether = Path.GetFullPath(tether);
        var symbols = ValueOf(args, "--symbols") ?? Path.Combine(Path.GetDirectoryName(tether)!, "Tether.Cli.dbg");
        if (!File.Exists(symbols))
        {
            Console.Error.WriteLine($"startup-pages: no symbols at {symbols}; pass the Tether.Cli.dbg the native publish wrote with --symbols PATH.");
            return 2;
        }

        var writeOrder = ValueOf(args, "--write-order");
        var checkOrder = ValueOf(args, "--check-order");
        if ((writeOrder is null) == (checkOrder is null))
        {
            Console.Error.WriteLine("startup-pages: say what to do with the pages: --write-order FILE or --check-order FILE.");
            return 2;
        }

        var touched = await TraceAsync(tether, Path.GetFullPath(agentTether), Option(args, "--seconds", 8), Option(args, "--agents", 50));
        var layout = CodeLayout.Read(symbols, CodeSegment(tether).Address / PageSize);
        var managed = touched.Where(layout.IsManaged).ToList();
        Console.WriteLine(Invariant($"startup-pages: {tether}: {touched.Count} code pages touched ({touched.Count * PageSize / 1024} KiB)"));
        Console.WriteLine(Invariant($"  native runtime code   {touched.Count(layout.IsNative),5} of {layout.NativePages,5} pages"));
        Console.WriteLine(Invariant($"  managed code          {managed.Count,5} of {layout.ManagedPages,5} pages"));
        Console.WriteLine(Invariant($"  unboxing stubs        {touched.Count(layout.IsUnboxing),5} of {layout.UnboxingPages,5} pages"));

        if (writeOrder is not null)
        {
            var methods = layout.MethodsOn(managed);
            File.WriteAllLines(writeOrder, methods);
            Console.WriteLine(Invariant($"  wrote {methods.Count} methods ({layout.SizeOf(methods) / 1024} KiB of code) to {writeOrder}"));
            return 0;
        }

        var ordered = File.ReadLines(checkOrder!).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        var missed = managed.Where(page => !layout.MethodsOn([page]).Any(ordered.Contains)).ToList();
        var lastOrdered = layout.LastPageOf(ordered);
        Console.WriteLine(Invariant($"  {ordered.Count} methods in {checkOrder}, placed in the first {(lastOrdered - layout.FirstManagedPage + 1) * PageSize / 1024} KiB of managed code"));
        Console.WriteLine(Invariant($"  touched managed pages with no method of the order file: {missed.Count}"));
        foreach (var name in layout.MethodsOn(missed).Take(20))
        {
            Console.WriteLine($"    {name}");
        }

        return 0;
    }

    /// <summary>The pages (link-time address / 4096) of the binary's code that a watcher with agents has touched.</summary>
    private static async Task<HashSet<long>> TraceAsync(string tether, string agentTether, int seconds, int agentCount)
    {
        var directory = Directory.CreateTempSubdirectory("tether-startup-pages-").FullName;
        var socket = Path.Combine(directory, "watch.sock");
        var agents = new List<Process>();
        using var watcher = Start(tether, "watch", "--socket", socket, "--threshold", "5s");
        try
        {
            var waited = Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                if (waited.Elapsed > TimeSpan.FromSeconds(30) || watcher.HasExited)
                {
                    throw new InvalidOperationException("startup-pages: the watcher did not create its socket");
                }

                await Task.Delay(10);
            }

            await Task.Delay(TimeSpan.FromSeconds(2)); // start-up work done, as watch-idle waits
            for (var i = 0; i < agentCount; i++)
            {
                agents.Add(Start(agentTether, "beat", "--socket", socket, "--every", "1s"));
            }

            await Task.Delay(TimeSpan.FromSeconds(seconds));
            return ResidentCodePages(watcher.Id, tether);
        }
        finally
        {
            foreach (var agent in agents)
            {
                agent.Kill();
                await agent.WaitForExitAsync();
                agent.Dispose();
            }

            watcher.Kill();
            await watcher.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// The pages of <paramref name="binary"/>'s executable mapping in process <paramref name="pid"/> that are present,
    /// as link-time pages: the mapping's file offset turned into the address the symbols use (the code segment's
    /// <c>p_vaddr - p_offset</c>).
    /// </summary>
    private static HashSet<long> ResidentCodePages(int pid, string binary)
    {
        // Read from the binary itself (the symbols file's segments have other file offsets), and only now: reading it
        // before the watcher ran would have put pages in the cache for its faults to map. Its first page is the
        // headers', which every start touches anyway.
        var segment = CodeSegment(binary);
        var pages = new HashSet<long>();
        using var pagemap = File.OpenRead($"/proc/{pid}/pagemap");
        foreach (var line in File.ReadLines($"/proc/{pid}/maps"))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[1] != "r-xp" || fields[5].Trim() != binary)
            {
                continue;
            }

            var range = fields[0].Split('-');
            var start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var fileOffset = long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var entries = new byte[(end - start) / PageSize * 8];
            pagemap.Position = start / PageSize * 8;
            pagemap.ReadExactly(entries);
            for (var i = 0; i < entries.Length / 8; i++)
            {
                // Bit 63: the page is present in this process's page tables.
                if ((BinaryPrimitives.ReadUInt64LittleEndian(entries.AsSpan(i * 8)) >> 63) != 0)
                {
                    pages.Add(((fileOffset - segment.Offset + segment.Address) / PageSize) + i);
                }
            }
        }

        return pages.Count > 0 ? pages : throw new InvalidOperationException($"startup-pages: no page of {binary}'s code is present in process {pid}");
    }

    /// <summary>File offset and link-time address of the ELF64 file's executable <c>PT_LOAD</c> segment.</summary>
    private static (long Offset, long Address) CodeSegment(string binary)
    {
        using var file = File.OpenHandle(binary);
        var headers = new byte[PageSize]; // the ELF header and the program headers that follow it
        var elf = headers.AsSpan(0, RandomAccess.Read(file, headers, 0));
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x20..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x36..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x38..]);
        if (programHeaders + (count * entrySize) > elf.Length)
        {
            throw new InvalidOperationException($"startup-pages: {binary}'s program headers lie beyond its first page");
        }

        for (var i = 0; i < count; i++)
        {
            var header = elf[(programHeaders + (i * entrySize))..];
            const uint Load = 1, Execute = 1;
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) == Load && (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) & Execute) != 0)
            {
                return ((long)BinaryPrimitives.ReadUInt64LittleEndian(header[8..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(header[16..]));
            }
        }

        throw new InvalidOperationException($"startup-pages: {binary} has no executable segment");
    }

    private static Process Start(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine(); // drained so a full pipe never blocks it
        process.BeginErrorReadLine();
        return process;
    }
}
