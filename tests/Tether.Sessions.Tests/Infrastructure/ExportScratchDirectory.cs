namespace Tether.Sessions.Tests;

/// <summary>A fresh directory under the system temp directory, deleted (with everything in it) on dispose.</summary>
internal sealed class ExportScratchDirectory : IDisposable
{
    public ExportScratchDirectory()
    {
        Path = Directory.CreateTempSubdirectory("tether-export-").FullName;
    }

    public string Path { get; }

    /// <summary>The path of <paramref name="relative"/> inside the directory.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
