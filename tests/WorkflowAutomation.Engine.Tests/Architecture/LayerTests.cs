using System.Text.RegularExpressions;

namespace WorkflowAutomation.Engine.Tests.Architecture;

/// <summary>
/// The engine's folders depend on each other one way only: a folder may use the folders of
/// lower layers, never one of its own layer or above. The layers are drawn in the README.
/// </summary>
public sealed partial class LayerTests
{
    /// <summary>Lowest first. A new folder must be placed here before it can be used.</summary>
    internal static readonly string[][] Layers =
    [
        ["Common"],
        ["Platform"],
        ["Configuration"],
        ["Workflows", "Processes"],
        ["State"],
        ["Metrics", "Hermetic"],
        ["Execution", "Parallel"],
        ["Daemon"],
        ["Facades"],
        ["Dashboard", "Chaos"],
    ];

    [Fact]
    public void Every_engine_folder_has_a_layer()
    {
        var unplaced = EngineFolders().Where(folder => LayerOf(folder) < 0).ToList();
        Assert.True(unplaced.Count == 0,
            $"Engine folders without a layer: {string.Join(", ", unplaced)}. Add each to {nameof(LayerTests)}.{nameof(Layers)} and to the README's picture.");
    }

    [Fact]
    public void Engine_folders_use_only_lower_layers()
    {
        var violations = Dependencies(EngineRoot())
            .Where(edge => LayerOf(edge.From) >= 0 && LayerOf(edge.To) >= 0 && LayerOf(edge.To) >= LayerOf(edge.From))
            .Select(edge => $"{edge.From} -> {edge.To} ({edge.File})")
            .Distinct()
            .ToList();
        Assert.True(violations.Count == 0, "Engine folders that reach up or sideways:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void A_dependency_from_a_lower_layer_to_a_higher_one_is_caught()
    {
        var root = Directory.CreateTempSubdirectory("wa-layers-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, "State"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "Daemon"));
            File.WriteAllText(Path.Combine(root.FullName, "State", "Store.cs"), "using WorkflowAutomation.Daemon;\nnamespace WorkflowAutomation.State;\nclass Store { }\n");
            File.WriteAllText(Path.Combine(root.FullName, "Daemon", "Host.cs"), "namespace WorkflowAutomation.Daemon;\nclass Host { State.Store? store; }\n");
            var edges = Dependencies(root.FullName).Select(edge => $"{edge.From}->{edge.To}").ToHashSet();
            Assert.Contains("State->Daemon", edges);
            Assert.Contains("Daemon->State", edges);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static int LayerOf(string folder) => Array.FindIndex(Layers, layer => layer.Contains(folder));

    private static IEnumerable<string> EngineFolders() =>
        Directory.GetDirectories(EngineRoot()).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj" or "Properties"));

    /// <summary>Folder-to-folder uses, from using directives and qualified names (comments and strings ignored).</summary>
    internal static IEnumerable<(string From, string To, string File)> Dependencies(string engineRoot)
    {
        var folders = Directory.GetDirectories(engineRoot).Select(Path.GetFileName).OfType<string>()
            .Where(name => name is not ("bin" or "obj")).ToHashSet();
        var qualified = new Regex(@"(?<![\w.])(?:WorkflowAutomation\.)?(" + string.Join("|", folders.Select(Regex.Escape)) + @")\.([A-Z]\w*)");
        foreach (var from in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(engineRoot, from), "*.cs", SearchOption.AllDirectories))
            {
                if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                {
                    continue;
                }
                var code = StringLiteral().Replace(LineComment().Replace(File.ReadAllText(file), string.Empty), "\"\"");
                var targets = UsingDirective().Matches(code).Select(match => match.Groups[1].Value)
                    .Concat(qualified.Matches(code)
                        .Where(match => !IsNamespaceDeclaration(code, match.Index))
                        .Select(match => match.Groups[1].Value));
                foreach (var to in targets.Where(to => to != from && folders.Contains(to)).Distinct())
                {
                    yield return (from, to, Path.GetRelativePath(engineRoot, file));
                }
            }
        }
    }

    private static bool IsNamespaceDeclaration(string code, int index)
    {
        var lineStart = code.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        return code[lineStart..index].TrimStart().StartsWith("namespace", StringComparison.Ordinal);
    }

    internal static string EngineRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var engine = Path.Combine(folder.FullName, "src", "WorkflowAutomation.Engine");
            if (Directory.Exists(engine))
            {
                return engine;
            }
        }
        throw new DirectoryNotFoundException("src/WorkflowAutomation.Engine was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?WorkflowAutomation\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"//.*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"""(?:\\.|[^""\\])*""")]
    private static partial Regex StringLiteral();
}
