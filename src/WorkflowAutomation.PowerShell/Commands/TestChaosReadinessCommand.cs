using System.Management.Automation;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Checks what each chaos fault needs on this machine, what is missing, and whether CHAOS_ENABLED allows it.</summary>
/// <remarks>
/// The seed's "chaos_test.sh validate". Changes nothing. One ChaosReadiness per fault:
/// Allowed (CHAOS_ENABLED is true), Available (what it needs is here), Ready (both), Needs,
/// and Missing (what to install or set). -Quiet returns only $true when every fault is ready.
/// </remarks>
/// <example>
/// <code>Test-ChaosReadiness | Format-Table</code>
/// <para>What is ready and what is missing, fault by fault.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-ChaosReadiness -Quiet)) { throw 'This machine is not ready for chaos tests.' }</code>
/// <para>A runbook's guard.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "ChaosReadiness")]
[OutputType(typeof(ChaosReadiness), typeof(bool))]
public sealed class TestChaosReadinessCommand : WorkflowCmdlet
{
    /// <summary>Returns $true when every fault is ready, $false otherwise, instead of the details.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void Process()
    {
        var items = ChaosReadinessCheck.Check(Configuration, State);
        if (Quiet)
        {
            WriteObject(items.All(item => item.Ready));
            return;
        }
        WriteObject(items, enumerateCollection: true);
    }
}
