using WorkflowAutomation.Workflows.Parsing;

namespace WorkflowAutomation.Workflows;

/// <summary>The outcome of reading a workflow file: the definition when it is valid, and every finding.</summary>
public sealed class WorkflowValidationResult
{
    public required string File { get; init; }
    /// <summary>Null when the file has at least one error.</summary>
    public WorkflowDefinition? Definition { get; init; }
    /// <summary>Every error and warning, in file order.</summary>
    public required IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; init; }
    public bool IsValid => Definition is not null;
    public IEnumerable<WorkflowDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
    public IEnumerable<WorkflowDiagnostic> Warnings => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning);
}

/// <summary>
/// Reads and validates workflow YAML (PRODUCT.md, "Workflow YAML"). Every problem of a
/// file is reported at once, each with its line and column, before anything runs.
/// </summary>
public static class WorkflowParser
{
    /// <summary>Reads a file; throws <see cref="WorkflowDefinitionException"/> listing every error when it is invalid.</summary>
    public static WorkflowDefinition Load(string path, WorkflowParseOptions? options = null)
    {
        var result = ParseFile(path, options);
        return result.Definition ?? throw new WorkflowDefinitionException(result);
    }

    /// <summary>Reads and validates a file. IO failures (missing file, no access) throw.</summary>
    public static WorkflowValidationResult ParseFile(string path, WorkflowParseOptions? options = null)
    {
        var fullPath = Path.GetFullPath(path);
        var size = new FileInfo(fullPath).Length;
        if (size > WorkflowLimits.MaxFileBytes)
        {
            // Refused before reading: a huge file is not loaded into memory only to be rejected.
            var diagnostics = new DiagnosticBag(fullPath);
            diagnostics.Add(1, 1, DiagnosticSeverity.Error, WorkflowDiagnosticCode.LimitExceeded, WorkflowLimits.FileTooLarge(size));
            return new WorkflowValidationResult { File = fullPath, Diagnostics = diagnostics.Sorted() };
        }
        return Parse(File.ReadAllText(fullPath), fullPath, options);
    }

    /// <summary>Validates YAML text; <paramref name="file"/> is the name the findings carry.</summary>
    public static WorkflowValidationResult Parse(string yaml, string file, WorkflowParseOptions? options = null)
    {
        var diagnostics = new DiagnosticBag(file);
        var root = YamlLoader.Load(yaml, diagnostics);
        WorkflowDefinition? definition = null;
        if (root is not null)
        {
            var source = new WorkflowReader(new YamlValues(diagnostics)).Read(root);
            DependencyChecks.Run(source, diagnostics);
            new ReferenceChecks(source, new SourceText(yaml), diagnostics, (options ?? WorkflowParseOptions.Default).StrictInterpolation).Run();
            WarnAboutSchedule(source, diagnostics);
            if (!diagnostics.HasErrors)
            {
                definition = Build(source, file);
            }
        }
        return new WorkflowValidationResult { File = file, Definition = definition, Diagnostics = diagnostics.Sorted() };
    }

    private static void WarnAboutSchedule(WorkflowSource source, DiagnosticBag diagnostics)
    {
        if (source.Schedule is null)
        {
            return;
        }
        foreach (var input in source.Inputs.Values.Where(input => input.Required && input.Default is null))
        {
            diagnostics.Warning(source.InputNodes[input.Name], WorkflowDiagnosticCode.ScheduledInputWithoutDefault,
                $"Input '{input.Name}' is required and has no default, but scheduled runs get no parameters. Give it a default.");
        }
    }

    private static WorkflowDefinition Build(WorkflowSource source, string file) => new()
    {
        Name = source.Name!,
        Description = source.Description,
        ExecutionMode = source.ExecutionMode,
        MaxParallel = source.MaxParallel,
        Inputs = source.Inputs,
        Env = source.Env,
        Schedule = source.Schedule,
        TimeZone = source.TimeZone,
        Steps = source.Steps.Select(step => step.Step!).ToList(),
        Notifications = source.Notifications,
        WorkingDirectory = source.WorkingDirectory,
        Environment = source.Environment,
        SourcePath = file,
    };
}
