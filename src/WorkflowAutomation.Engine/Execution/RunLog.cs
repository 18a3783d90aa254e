using WorkflowAutomation.Processes;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>
/// What a run writes to its log: every line masked of secrets and kept within its step's
/// budget, then recorded in the store and shown to whoever watches the run.
/// </summary>
internal sealed class RunLog(WorkflowExecutorOptions options, WorkflowRun run, SecretMasker secrets)
{
    private readonly StepLogBudget budget = new(options.MaxLogLineLength, options.MaxStepLogBytes);

    /// <summary>A line of a step (its name, or rollback:name), or of the run itself (null).</summary>
    public void Write(string? step, OutputLine line)
    {
        foreach (var kept in budget.Admit(step, line))
        {
            Append(step, kept with { Text = secrets.Apply(kept.Text)! });
        }
    }

    private void Append(string? step, OutputLine line)
    {
        options.Store.AppendLog(new WorkflowRunLogLine
        {
            RunId = run.Id,
            Step = step,
            Timestamp = options.Time.GetUtcNow(),
            IsError = line.Stream == OutputStream.Error,
            Text = line.Text,
        });
        if (step is not null)
        {
            options.Observer.Output(run, step, line);
        }
    }
}
