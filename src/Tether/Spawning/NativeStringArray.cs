using System.Runtime.InteropServices;
using System.Text;

namespace Tether.Spawning;

/// <summary>A NULL-terminated array of NUL-terminated UTF-8 strings in native memory (argv, envp), freed on dispose.</summary>
internal sealed unsafe class NativeStringArray : IDisposable
{
    private byte* _block;
    private byte** _array;

    public NativeStringArray(IReadOnlyList<string> items)
    {
        nuint total = 0;
        foreach (var item in items)
        {
            total += (nuint)Encoding.UTF8.GetByteCount(item) + 1;
        }

        _block = (byte*)NativeMemory.Alloc(Math.Max(total, 1));
        _array = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(nint));
        var cursor = _block;
        for (var i = 0; i < items.Count; i++)
        {
            _array[i] = cursor;
            var written = Encoding.UTF8.GetBytes(items[i], new Span<byte>(cursor, (int)(total - (nuint)(cursor - _block))));
            cursor[written] = 0;
            cursor += written + 1;
        }

        _array[items.Count] = null;
    }

    /// <summary>An environment block: one <c>NAME=value</c> string per pair, encoded without building the strings.</summary>
    public NativeStringArray(List<KeyValuePair<string, string>> environment)
    {
        nuint total = 0;
        foreach (var (name, value) in environment)
        {
            total += (nuint)(Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 2);
        }

        _block = (byte*)NativeMemory.Alloc(Math.Max(total, 1));
        _array = (byte**)NativeMemory.Alloc((nuint)(environment.Count + 1), (nuint)sizeof(nint));
        var cursor = _block;
        var end = _block + total;
        for (var i = 0; i < environment.Count; i++)
        {
            _array[i] = cursor;
            cursor += Encoding.UTF8.GetBytes(environment[i].Key, new Span<byte>(cursor, (int)(end - cursor)));
            *cursor++ = (byte)'=';
            cursor += Encoding.UTF8.GetBytes(environment[i].Value, new Span<byte>(cursor, (int)(end - cursor)));
            *cursor++ = 0;
        }

        _array[environment.Count] = null;
    }

    public byte** Pointer => _array;

    public byte* First => _array[0];

    public void Dispose()
    {
        NativeMemory.Free(_block);
        NativeMemory.Free(_array);
        _block = null;
        _array = null;
    }
}
