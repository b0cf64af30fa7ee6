using System.Diagnostics;
using System.Globalization;

namespace Tether.Benchmarks.Startup;

/// <summary>
/// Where the code of a native <c>tether</c> lies, by its symbols (<c>nm -nS</c> of the <c>Tether.Cli.dbg</c> the
/// publish writes): the runtime's native code first, then the managed methods the compiler laid out in
/// <c>__managedcode</c> (the section <c>IlcOrderFile</c> orders), then the unboxing stubs of <c>__unbox</c>.
/// Addresses are link-time addresses; pages are those addresses / 4096.
/// </summary>
internal sealed class CodeLayout
{
    private const int PageSize = 4096;

    private readonly List<(long Start, long Size, string Name)> _methods;
    private readonly long _codeStartPage;
    private readonly long _managedStart;
    private readonly long _managedEnd;
    private readonly long _unboxingEnd;

    private CodeLayout(List<(long Start, long Size, string Name)> methods, long codeStartPage, long managedStart, long managedEnd, long unboxingEnd)
    {
        _methods = methods;
        _codeStartPage = codeStartPage;
        _managedStart = managedStart;
        _managedEnd = managedEnd;
        _unboxingEnd = unboxingEnd;
    }

    /// <summary>The first page of managed code.</summary>
    public long FirstManagedPage => _managedStart / PageSize;

    /// <summary>Pages of the runtime's native code (everything in the code segment before the managed code).</summary>
    public long NativePages => FirstManagedPage - _codeStartPage + 1;

    /// <summary>Pages the managed code spans.</summary>
    public long ManagedPages => ((_managedEnd - 1) / PageSize) - FirstManagedPage + 1;

    /// <summary>Pages the unboxing stubs span.</summary>
    public long UnboxingPages => ((_unboxingEnd - 1) / PageSize) - (_managedEnd / PageSize) + 1;

    /// <summary>Reads the symbols of <paramref name="symbols"/> with <c>nm</c>; the code segment starts at <paramref name="codeStartPage"/>.</summary>
    public static CodeLayout Read(string symbols, long codeStartPage)
    {
        var info = new ProcessStartInfo("nm") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in (string[])["-n", "-S", "--defined-only", symbols])
        {
            info.ArgumentList.Add(argument);
        }

        using var nm = Process.Start(info) ?? throw new InvalidOperationException("startup-pages: nm (binutils) did not start");
        var all = new List<(long Start, long Size, string Name)>();
        var bounds = new Dictionary<string, long>(StringComparer.Ordinal);
        while (nm.StandardOutput.ReadLine() is { } line)
        {
            // "address size type name", or "address type name" for a symbol without a size (section bounds).
            var fields = line.Split(' ');
            var address = long.Parse(fields[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (fields.Length == 3)
            {
                bounds[fields[2]] = address;
            }
            else if (fields.Length == 4 && fields[2] is "t" or "T")
            {
                all.Add((address, long.Parse(fields[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields[3]));
            }
        }

        nm.WaitForExit();
        if (nm.ExitCode != 0 || !bounds.TryGetValue("__start___managedcode", out var managedStart) || !bounds.TryGetValue("__stop___managedcode", out var managedEnd))
        {
            throw new InvalidOperationException($"startup-pages: {symbols} names no __managedcode section (nm exited {nm.ExitCode}); give the Tether.Cli.dbg of a native publish");
        }

        var unboxingEnd = bounds.GetValueOrDefault("__stop___unbox", managedEnd);
        var methods = all.Where(m => m.Start >= managedStart && m.Start < managedEnd && m.Size > 0).ToList();
        return new CodeLayout(methods, codeStartPage, managedStart, managedEnd, unboxingEnd);
    }

    /// <summary>Whether <paramref name="page"/> holds the runtime's native code.</summary>
    public bool IsNative(long page) => page >= _codeStartPage && page * PageSize < _managedStart;

    /// <summary>Whether <paramref name="page"/> holds managed methods.</summary>
    public bool IsManaged(long page) => (page + 1) * PageSize > _managedStart && page * PageSize < _managedEnd;

    /// <summary>Whether <paramref name="page"/> holds unboxing stubs only.</summary>
    public bool IsUnboxing(long page) => page * PageSize >= _managedEnd && page * PageSize < _unboxingEnd;

    /// <summary>The managed methods that overlap any of <paramref name="pages"/>, in address order, each once.</summary>
    public List<string> MethodsOn(IReadOnlyCollection<long> pages)
    {
        var set = pages as IReadOnlySet<long> ?? pages.ToHashSet();
        var names = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (start, size, name) in _methods)
        {
            for (var page = start / PageSize; page <= (start + size - 1) / PageSize; page++)
            {
                if (set.Contains(page))
                {
                    if (seen.Add(name))
                    {
                        names.Add(name);
                    }

                    break;
                }
            }
        }

        return names;
    }

    /// <summary>Bytes of code of the named methods.</summary>
    public long SizeOf(IReadOnlyCollection<string> names)
    {
        var set = names.ToHashSet(StringComparer.Ordinal);
        return _methods.Where(m => set.Contains(m.Name)).Sum(m => m.Size);
    }

    /// <summary>The last page holding one of the named methods (the end of the block an order file placed first).</summary>
    public long LastPageOf(IReadOnlySet<string> names) =>
        _methods.Where(m => names.Contains(m.Name)).Select(m => (m.Start + m.Size - 1) / PageSize).DefaultIfEmpty(FirstManagedPage).Max();
}
