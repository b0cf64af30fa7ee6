namespace Tether.Supervisor.Tests.Config;

/// <summary>A project directory for a spec: files written into it, the whole tree deleted on dispose.</summary>
internal sealed class TempProject : IDisposable
{
    public TempProject()
    {
        Path = Directory.CreateTempSubdirectory("tether-config-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> under the project; returns its full path.</summary>
    public string Write(string name, string text)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Reads <paramref name="yaml"/> as this project's tether.yaml.</summary>
    public ServiceSet Load(string yaml) => ServiceSetLoader.LoadText(yaml, "tether.yaml", Path);

    /// <summary>The errors <paramref name="yaml"/> is refused with, as the user sees them (<c>FILE:LINE:COL: message</c>).</summary>
    public IReadOnlyList<string> Errors(string yaml)
    {
        var refused = Assert.Throws<ConfigurationException>(() => Load(yaml));
        Assert.NotEmpty(refused.Errors);
        Assert.Equal(refused.Errors[0].ToString(), refused.Message);
        foreach (var error in refused.Errors)
        {
            Assert.DoesNotContain('\n', error.ToString());
        }

        return refused.Errors.Select(error => error.ToString()).ToList();
    }

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
