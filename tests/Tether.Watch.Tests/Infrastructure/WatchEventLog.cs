namespace Tether.Watch.Tests;

/// <summary>
/// The events a <see cref="Watcher"/> reported through its <c>onEvent</c> callback, collected from the watcher's loop
/// thread and read from the spec's, with waits bounded by <see cref="Bounds.Eventually"/> that fail naming what came.
/// </summary>
internal sealed class WatchEventLog
{
    private readonly Lock _lock = new();
    private readonly List<WatchEvent> _events = [];

    /// <summary>The callback to give <see cref="Watcher.StartAsync"/>.</summary>
    public void Add(WatchEvent watchEvent)
    {
        lock (_lock)
        {
            _events.Add(watchEvent);
        }
    }

    /// <summary>Every event so far, in the order the watcher reported them.</summary>
    public IReadOnlyList<WatchEvent> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The events of one kind so far, in order.</summary>
    public IReadOnlyList<T> OfType<T>()
        where T : WatchEvent => [.. All.OfType<T>()];

    /// <summary>Waits for the first event of kind <typeparamref name="T"/> that matches <paramref name="predicate"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? predicate = null)
        where T : WatchEvent => (await WaitForCountAsync(1, predicate))[0];

    /// <summary>Waits until at least <paramref name="count"/> events of kind <typeparamref name="T"/> match; returns them all.</summary>
    public async Task<IReadOnlyList<T>> WaitForCountAsync<T>(int count, Func<T, bool>? predicate = null)
        where T : WatchEvent
    {
        IReadOnlyList<T> found = [];
        var arrived = await Bounds.EventuallyAsync(() => (found = [.. OfType<T>().Where(e => predicate?.Invoke(e) ?? true)]).Count >= count);
        Assert.True(arrived, $"Waited {Bounds.Eventually} for {count} {typeof(T).Name} event(s) and saw {found.Count}. Events so far:\n{this}");
        return found;
    }

    /// <summary>One event per line, for failure messages.</summary>
    public override string ToString() => string.Join('\n', All.Select(e => "  " + e));
}
