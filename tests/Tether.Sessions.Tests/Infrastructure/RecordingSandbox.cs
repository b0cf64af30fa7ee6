namespace Tether.Sessions.Tests;

/// <summary>
/// A private temporary tree for one recording spec: a state directory whose name has a space and a quote (so the hook
/// scripts' quoting is exercised), a session store, a home for the shells, and a bin directory first on their PATH.
/// Deleted, with everything in it, on dispose.
/// </summary>
internal sealed class RecordingSandbox : IDisposable
{
    public RecordingSandbox()
    {
        Root = Path.Combine(Path.GetTempPath(), "tether-rec-specs-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        StateDirectory = Path.Combine(Root, "state it's");
        StoreDirectory = Path.Combine(Root, "store");
        Home = Directory.CreateDirectory(Path.Combine(Root, "home")).FullName;
        Bin = Directory.CreateDirectory(Path.Combine(Root, "bin")).FullName;
        Store = SessionStore.Open(StoreDirectory);
    }

    public string Root { get; }

    public string StateDirectory { get; }

    public string StoreDirectory { get; }

    public string Home { get; }

    public string Bin { get; }

    public SessionStore Store { get; }

    /// <summary>A recorder on this sandbox's store and state directory.</summary>
    public Recorder Recorder(TimeProvider? time = null) => new(Store, StateDirectory, time);

    /// <summary>The names of the files in the state directory (the lock file aside).</summary>
    public IReadOnlyList<string> StateFiles() =>
        Directory.Exists(StateDirectory)
            ? Directory.EnumerateFiles(StateDirectory).Select(f => Path.GetFileName(f)).Where(n => n != ".lock").Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>A directory under the root (created), for a shell to <c>cd</c> into.</summary>
    public string Subdirectory(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <summary>
    /// Puts a stand-in <c>tether</c> program first on the shells' PATH: it writes the variables the shell function
    /// passes and its arguments, one per line, to <see cref="TetherCallFile"/>.
    /// </summary>
    public void InstallFakeTether()
    {
        var path = Path.Combine(Bin, "tether");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            printf '%s\n' "${TETHER_REC_SHELL_PID-}" "${TETHER_REC_SHELL-}" "${TETHER_REC_DIR-}" "$*" > '{{TetherCallFile}}'
            """);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string TetherCallFile => Path.Combine(Root, "tether-called");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
