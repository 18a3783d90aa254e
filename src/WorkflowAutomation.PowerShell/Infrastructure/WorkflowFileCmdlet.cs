using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that reads workflow files: -Path with wildcards, -LiteralPath, and the pipeline
/// (strings, or the FileInfo objects of Get-ChildItem through their PSPath).
/// </summary>
public abstract class WorkflowFileCmdlet : WorkflowCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>The workflow files to read. Wildcards are allowed, such as ./workflows/*.yaml; a folder stands for the *.yaml and *.yml files in it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(WorkflowFileCompleter))]
    public string[] Path { get; set; } = [];

    /// <summary>The workflow files to read, taken exactly as written (no wildcards). Get-ChildItem output binds here through PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>
    /// The files named by -Path or -LiteralPath, a folder standing for the workflow files
    /// (*.yaml, *.yml) directly in it; a name that matches nothing gets a non-terminating error.
    /// </summary>
    protected IEnumerable<string> InputFiles() => InputEntries().Select(entry => entry.File);

    /// <summary>As <see cref="InputFiles"/>, saying for each file whether it came from a folder the user named.</summary>
    protected IEnumerable<(string File, bool FromFolder)> InputEntries()
    {
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var path in literal ? LiteralPath : Path)
        {
            var folder = Folder(path, literal);
            var files = folder is null
                ? ResolveFiles([path], literal)
                : Directory.EnumerateFiles(folder).Where(IsWorkflowFile).Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                yield return (file, folder is not null);
            }
        }
    }

    private string? Folder(string path, bool literal)
    {
        try
        {
            var resolved = literal
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)
                : WildcardPattern.ContainsWildcardCharacters(path) ? null : GetResolvedProviderPathFromPSPath(path, out _).SingleOrDefault();
            return resolved is not null && Directory.Exists(resolved) ? resolved : null;
        }
        catch (Exception exception) when (exception is ItemNotFoundException or ProviderNotFoundException or System.Management.Automation.DriveNotFoundException or NotSupportedException)
        {
            return null;
        }
    }

    private static bool IsWorkflowFile(string file) =>
        file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
}
