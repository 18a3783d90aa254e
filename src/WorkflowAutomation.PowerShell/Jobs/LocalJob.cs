using System.Management.Automation;

namespace WorkflowAutomation.PowerShell.Jobs;

/// <summary>
/// What every job of the module shares: it runs in this process, and it has data while its
/// streams hold any. A plain <see cref="Job"/>, so Receive-Job -AutoRemoveJob and Remove-Job
/// work without a job source adapter.
/// </summary>
internal abstract class LocalJob(string command, string name) : Job(command, name)
{
    public override bool HasMoreData => Output.Count > 0 || Information.Count > 0 || Error.Count > 0;

    public override string Location => Environment.MachineName;
}
