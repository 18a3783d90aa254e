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

    /// <summary>The workflow files to read. Wildcards are allowed, such as ./workflows/*.yaml.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(WorkflowFileCompleter))]
    public string[] Path { get; set; } = [];

    /// <summary>The workflow files to read, taken exactly as written (no wildcards). Get-ChildItem output binds here through PSPath.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The files named by -Path or -LiteralPath; a name that matches nothing gets a non-terminating error.</summary>
    protected IEnumerable<string> InputFiles() =>
        ParameterSetName == LiteralPathSet ? ResolveFiles(LiteralPath, literal: true) : ResolveFiles(Path);
}
