using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// What every cmdlet of the module shares: the state directory, the configuration, one
/// cancellation token that Ctrl+C cancels, and the one place where engine exceptions become
/// error records. Cmdlets override <see cref="OnBegin"/>, <see cref="Process"/> and <see cref="OnEnd"/>.
/// </summary>
public abstract class WorkflowCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource stopping = new();
    private StateDirectory? state;
    private WorkflowConfiguration? configuration;

    /// <summary>Cancelled by Ctrl+C (StopProcessing): pass it to every engine call that waits.</summary>
    protected CancellationToken Cancellation => stopping.Token;

    /// <summary>The state directory, resolved from the environment at the first use.</summary>
    protected StateDirectory State => state ??= StateDirectory.Resolve();

    /// <summary>The configuration in force for this call.</summary>
    protected WorkflowConfiguration Configuration => configuration ??= WorkflowConfiguration.Load(State);

    /// <summary>How workflow files are validated for this call (STRICT_INTERPOLATION).</summary>
    protected Workflows.WorkflowParseOptions ParseOptions => new() { StrictInterpolation = Configuration.StrictInterpolation };

    protected sealed override void BeginProcessing() => Guard(OnBegin);

    protected sealed override void ProcessRecord() => Guard(Process);

    protected sealed override void EndProcessing() => Guard(OnEnd);

    protected override void StopProcessing() => stopping.Cancel();

    /// <summary>Once, before the first pipeline input.</summary>
    protected virtual void OnBegin()
    {
    }

    /// <summary>The cmdlet's work for one pipeline input.</summary>
    protected abstract void Process();

    /// <summary>Once, after the last pipeline input.</summary>
    protected virtual void OnEnd()
    {
    }

    private void Guard(Action work)
    {
        try
        {
            work();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Ctrl+C: the pipeline is stopping; there is no error to report.
            throw new PipelineStoppedException();
        }
        catch (Exception exception) when (exception is not PipelineStoppedException and not PipelineClosedException)
        {
            ThrowTerminatingError(ErrorRecords.From(exception, target: null));
        }
    }

    /// <summary>Writes a non-terminating error for one item (so -ErrorAction works per item).</summary>
    protected void WriteItemError(Exception exception, object? target) => WriteError(ErrorRecords.From(exception, target));

    /// <summary>A -WorkingDirectory value as an absolute folder (relative to this session's location); throws when it is not a folder.</summary>
    protected string? ResolveFolder(string? folder)
    {
        if (string.IsNullOrEmpty(folder))
        {
            return null;
        }
        var resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(folder);
        return Directory.Exists(resolved) ? resolved : throw new WorkflowAutomationException(ErrorIds.WorkingDirectoryNotFound, ErrorKind.ObjectNotFound,
            $"The working directory '{resolved}' does not exist. Create it first (New-Item -ItemType Directory), or name an existing folder.");
    }

    /// <summary>
    /// A full native path without wildcards to a file that exists (what Get-ChildItem pipes
    /// as FullName) names that file whatever the current location: it skips PowerShell's path
    /// resolution, which checks the drive on every call and costs far more than the rest of a submit.
    /// </summary>
    private static bool IsPlainFile(string path) =>
        Path.IsPathFullyQualified(path) && !WildcardPattern.ContainsWildcardCharacters(path) && File.Exists(path);

    /// <summary>Resolves -Path values (wildcards allowed) to existing files, writing an error for each that matches nothing.</summary>
    protected IEnumerable<string> ResolveFiles(IEnumerable<string> paths, bool literal = false)
    {
        foreach (var path in paths)
        {
            if (IsPlainFile(path))
            {
                yield return Path.GetFullPath(path);
                continue;
            }
            List<string> resolved;
            try
            {
                resolved = literal
                    ? [SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)]
                    : GetResolvedProviderPathFromPSPath(path, out _).ToList();
            }
            catch (ItemNotFoundException)
            {
                resolved = [];
            }
            resolved = resolved.Where(File.Exists).ToList();
            if (resolved.Count == 0)
            {
                WriteItemError(new WorkflowAutomationException(ErrorIds.PathNotFound, ErrorKind.ObjectNotFound,
                    $"No file matches '{path}'. Check the path, or use wildcards such as ./workflows/*.yaml."), path);
            }
            foreach (var file in resolved)
            {
                yield return file;
            }
        }
    }
}
