using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// Where a run's steps start: one rule for session and daemon runs alike (Dagu's). The run's
/// folder is -WorkingDirectory when given, else the workflow's working_directory (relative to
/// the workflow file's folder), else the workflow file's folder; for a definition that was not
/// read from a file, the process's current folder. A step's working_directory is relative to
/// the run's folder. Nothing depends on the folder the caller happened to be in.
/// </summary>
public static class RunFolder
{
    /// <summary>The run's folder for <paramref name="definition"/>, given an absolute -WorkingDirectory or null.</summary>
    public static string Of(WorkflowDefinition definition, string? requested)
    {
        if (!string.IsNullOrWhiteSpace(requested))
        {
            return Path.GetFullPath(requested);
        }
        var fileFolder = definition.SourcePath is { } source ? Path.GetDirectoryName(Path.GetFullPath(source))! : Environment.CurrentDirectory;
        return string.IsNullOrWhiteSpace(definition.WorkingDirectory)
            ? fileFolder
            : Path.GetFullPath(Path.Combine(fileFolder, Expand(definition.WorkingDirectory)));
    }

    /// <summary>The folder <paramref name="step"/> starts in.</summary>
    public static string OfStep(WorkflowDefinition definition, WorkflowStep step, string? requested)
    {
        var run = Of(definition, requested);
        return string.IsNullOrWhiteSpace(step.WorkingDirectory) ? run : Path.GetFullPath(Path.Combine(run, Expand(step.WorkingDirectory)));
    }

    /// <summary>A leading ~ is the user's home, as in a shell.</summary>
    private static string Expand(string folder) =>
        folder == "~" || folder.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + folder[1..]
            : folder;
}
