using System.Management.Automation;
using WorkflowAutomation.Execution;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Validates workflow files without running them.</summary>
/// <remarks>
/// Checks each file against the workflow format: YAML syntax, duplicate keys, unknown keys
/// (with a did-you-mean), required keys, value types and ranges, execution_mode, shells,
/// cron schedules, duplicate steps, unknown dependencies, dependency cycles, and references
/// to undeclared inputs or unknown steps, step names that collide as environment names, and
/// files or expressions past their limits (4 MiB, 1,000,000 YAML nodes with aliases expanded,
/// 10,000 characters and 64 levels per expression). A ${{ }} that pastes an input, step
/// output or env value into a command or rollback is an UnsafeInterpolation warning naming
/// the safe form (an error under STRICT_INTERPOLATION or 'strict: true'). Every problem of a
/// file is found at once.
/// Without -Detailed, writes $true or $false for a file named directly (the findings go to
/// the verbose stream), and for a folder one WorkflowFileTestResult per workflow file in it,
/// naming the file, with its error and warning counts and its first error. With -Detailed, writes one WorkflowDiagnostic per finding, with file, line,
/// column, severity, code and a message that says what to do; a valid file writes nothing.
/// </remarks>
/// <example>
/// <code>Test-WorkflowDefinition ./deploy.yaml</code>
/// <para>Writes True when the workflow is valid, False otherwise.</para>
/// </example>
/// <example>
/// <code>Test-WorkflowDefinition ./examples</code>
/// <para>Checks every *.yaml and *.yml file of a folder and writes one line per file: valid or not, how many errors and warnings, and the first error.</para>
/// </example>
/// <example>
/// <code>Get-ChildItem ./workflows -Filter *.yaml | Test-WorkflowDefinition -Detailed | Format-Table</code>
/// <para>Lists every problem of every workflow in a folder, with its line and column.</para>
/// </example>
/// <example>
/// <code>Test-WorkflowDefinition ./deploy.yaml -Detailed | Where-Object Code -eq UnsafeInterpolation</code>
/// <para>Lists the commands that paste a value into their text, each with the safe form to use instead.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-WorkflowDefinition ./nightly.yaml)) { Test-WorkflowDefinition ./nightly.yaml -Detailed | ForEach-Object ToString; exit 1 }</code>
/// <para>Fails a CI job with compiler-style file:line:column messages when the workflow is invalid.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "WorkflowDefinition", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool), typeof(WorkflowFileTestResult), typeof(WorkflowDiagnostic))]
public sealed class TestWorkflowDefinitionCommand : WorkflowFileCmdlet
{
    /// <summary>Writes one WorkflowDiagnostic per finding instead of $true or $false.</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    protected override void Process()
    {
        foreach (var (file, fromFolder) in InputEntries())
        {
            WorkflowValidationResult result;
            try
            {
                result = WorkflowParser.ParseFile(file, ParseOptions);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                WriteItemError(exception, file);
                continue;
            }
            var diagnostics = result.Diagnostics.ToList();
            var valid = result.IsValid;
            if (result.Definition is { } definition)
            {
                var environments = StepEnvironmentChecks.Check(definition, State.HermeticFolder).ToList();
                diagnostics.AddRange(environments);
                valid = environments.Count == 0;
            }
            if (Detailed)
            {
                WriteObject(diagnostics, enumerateCollection: true);
                continue;
            }
            foreach (var diagnostic in diagnostics)
            {
                WriteVerbose(diagnostic.ToString());
            }
            WriteObject(fromFolder ? FileResult(result) : valid);
        }
    }

    private static WorkflowFileTestResult FileResult(WorkflowValidationResult result) => new()
    {
        File = result.File,
        IsValid = result.IsValid,
        ErrorCount = result.Errors.Count(),
        WarningCount = result.Warnings.Count(),
        FirstError = result.Errors.FirstOrDefault() is { } first ? $"{first.Line}:{first.Column}: {first.Message}" : null,
    };
}
