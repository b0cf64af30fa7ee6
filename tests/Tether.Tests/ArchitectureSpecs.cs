using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Tether.Tests;

/// <summary>
/// docs/ARCHITECTURE.md is a contract, not a brochure: the project references in <c>src/</c> must follow the directions
/// it allows, every friend-assembly grant must be one it names, and every path it mentions must exist.
/// </summary>
public sealed partial class ArchitectureSpecs
{
    private static readonly string Root = FindRepositoryRoot();
    private static readonly string Document = File.ReadAllText(Path.Combine(Root, "docs", "ARCHITECTURE.md"));

    [Fact]
    public void Every_project_reference_in_src_is_a_direction_the_architecture_allows()
    {
        var allowed = AllowedReferences();
        var violations = new List<string>();

        foreach (var (project, references) in ActualReferences())
        {
            Assert.True(allowed.ContainsKey(project),
                $"src/{project} is not listed in the dependency block of docs/ARCHITECTURE.md.");
            violations.AddRange(references
                .Where(reference => !allowed[project].Contains(reference))
                .Select(reference => $"{project} → {reference}"));
        }

        Assert.True(violations.Count == 0,
            "References that docs/ARCHITECTURE.md does not allow: " + string.Join(", ", violations));
    }

    [Fact]
    public void Every_project_the_architecture_lists_exists_in_src()
    {
        var missing = AllowedReferences().Keys
            .Where(project => !File.Exists(Path.Combine(Root, "src", project, project + ".csproj")))
            .ToList();

        Assert.True(missing.Count == 0, "Listed in docs/ARCHITECTURE.md but not in src/: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_allowed_directions_have_no_cycle()
    {
        var allowed = AllowedReferences();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);

        foreach (var project in allowed.Keys)
        {
            Visit(project, []);
        }

        void Visit(string project, List<string> path)
        {
            if (state.GetValueOrDefault(project) == 2)
            {
                return;
            }

            Assert.False(state.GetValueOrDefault(project) == 1,
                "Cycle in docs/ARCHITECTURE.md's dependencies: " + string.Join(" → ", path.Append(project)));
            state[project] = 1;
            foreach (var next in allowed.GetValueOrDefault(project) ?? [])
            {
                Visit(next, [.. path, project]);
            }

            state[project] = 2;
        }
    }

    [Fact]
    public void Friend_assemblies_are_tests_benchmarks_or_a_grant_the_architecture_names()
    {
        var named = FriendGrants();
        var unexplained = new List<string>();

        foreach (var csproj in ProjectFiles())
        {
            var project = Path.GetFileNameWithoutExtension(csproj);
            var grants = XDocument.Load(csproj).Descendants("InternalsVisibleTo")
                .Select(element => (string?)element.Attribute("Include") ?? "");
            unexplained.AddRange(grants
                .Where(friend => friend != project + ".Tests" && friend != "Tether.Benchmarks"
                                 && !named.Contains($"{project} → {friend}"))
                .Select(friend => $"{project} → {friend}"));
        }

        Assert.True(unexplained.Count == 0,
            "InternalsVisibleTo grants not named in docs/ARCHITECTURE.md's friend block: " + string.Join(", ", unexplained));
    }

    [Fact]
    public void Every_path_the_architecture_names_exists()
    {
        var missing = RepositoryPath().Matches(Document)
            .Select(match => match.Value.TrimEnd('.', ',', ';', ':', ')'))
            .Distinct(StringComparer.Ordinal)
            .Where(path => !PathExists(path))
            .ToList();

        missing.AddRange(DocumentLink().Matches(Document)
            .Select(match => match.Groups["target"].Value)
            .Where(target => !target.Contains("://", StringComparison.Ordinal) && !target.StartsWith('#'))
            .Select(target => "docs/" + target.Split('#')[0])
            .Where(path => !PathExists(path)));

        Assert.True(missing.Count == 0, "docs/ARCHITECTURE.md names paths that do not exist: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_architecture_names_paths_at_all()
    {
        // Guards the spec above: a document rewritten without repository-relative paths would pass it vacuously.
        Assert.True(RepositoryPath().Matches(Document).Count >= 40,
            "docs/ARCHITECTURE.md should name where each layer lives with repository-relative paths (src/…).");
    }

    [Fact]
    public void No_native_entry_point_is_declared_twice_in_src()
    {
        // The platform layer (src/Shared/Interop) declares each libc call once; a second declaration is a copy that drifts.
        var declarations = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => NativeImport().Matches(File.ReadAllText(file)).Select(match => (
                EntryPoint: match.Groups["entry"].Success ? match.Groups["entry"].Value : match.Groups["name"].Value,
                File: Path.GetRelativePath(Root, file))))
            .ToList();

        var twice = declarations.GroupBy(declaration => declaration.EntryPoint, StringComparer.Ordinal)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key} ({string.Join(", ", group.Select(declaration => declaration.File))})")
            .ToList();

        Assert.True(declarations.Count >= 30, "Expected the platform layer's native declarations to be found.");
        Assert.True(twice.Count == 0, "Native entry points declared more than once: " + string.Join("; ", twice));
    }

    /// <summary>The ```dependencies block: one line per project, <c>Project → A, B</c> or <c>Project → (nothing)</c>.</summary>
    private static Dictionary<string, HashSet<string>> AllowedReferences() =>
        ArrowLines("dependencies").ToDictionary(
            line => line.From,
            line => line.To.Where(to => to != "(nothing)").ToHashSet(StringComparer.Ordinal),
            StringComparer.Ordinal);

    /// <summary>The ```friends block: one line per grant, <c>Project → Friend</c>.</summary>
    private static HashSet<string> FriendGrants() =>
        ArrowLines("friends").SelectMany(line => line.To.Select(to => $"{line.From} → {to}")).ToHashSet(StringComparer.Ordinal);

    private static List<(string From, string[] To)> ArrowLines(string block)
    {
        var match = Regex.Match(Document, "```" + block + @"\n(?<body>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/ARCHITECTURE.md has no ```{block} block.");

        return match.Groups["body"].Value
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('→', 2, StringSplitOptions.TrimEntries))
            .Select(parts => (parts[0], parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            .ToList();
    }

    private static IEnumerable<(string Project, string[] References)> ActualReferences() =>
        ProjectFiles().Select(csproj => (
            Path.GetFileNameWithoutExtension(csproj),
            XDocument.Load(csproj).Descendants("ProjectReference")
                .Select(element => Path.GetFileNameWithoutExtension(((string?)element.Attribute("Include") ?? "").Replace('\\', '/')))
                .ToArray()));

    private static IEnumerable<string> ProjectFiles() =>
        Directory.EnumerateDirectories(Path.Combine(Root, "src"))
            .Select(directory => Path.Combine(directory, Path.GetFileName(directory) + ".csproj"))
            .Where(File.Exists);

    private static bool PathExists(string relative)
    {
        if (!relative.Contains('*', StringComparison.Ordinal))
        {
            var full = Path.Combine(Root, relative);
            return File.Exists(full) || Directory.Exists(full);
        }

        var directory = Path.Combine(Root, Path.GetDirectoryName(relative) ?? "");
        return Directory.Exists(directory)
               && Directory.EnumerateFileSystemEntries(directory, Path.GetFileName(relative)).Any();
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Tether.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (Tether.slnx) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?<![\w./-])(?:src|tests|bench|docs|examples|\.ci)/[A-Za-z0-9_.*/-]+")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"\[(?:LibraryImport|DllImport)\((?:[^)]*?EntryPoint\s*=\s*""(?<entry>\w+)"")?[^)]*\)\]\s*(?:\[[^\]]*\]\s*)*[\w\s<>*\[\]?]*?\s(?<name>\w+)\s*\(")]
    private static partial Regex NativeImport();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex DocumentLink();
}
