using WorkflowAutomation.Common;
using System.Management.Automation;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets recorded chaos test results from the state directory's chaos.db, newest first.</summary>
/// <remarks>
/// Every Invoke-ChaosTest run is recorded, whether it passed, failed or was stopped: its
/// parameters, every measurement, what was touched and reverted, the hypothesis before and
/// after and the journal of probes, faults, actions and rollbacks. -AsJson writes the journal
/// exactly as it is stored.
/// </remarks>
/// <example>
/// <code>Get-ChaosResult -First 5</code>
/// <para>The five latest chaos tests.</para>
/// </example>
/// <example>
/// <code>Get-ChaosResult -Type Cpu | Select-Object Id, Verdict, @{ n = 'Measured'; e = { $_.Mean('cpu.fault_percent') } }</code>
/// <para>The mean load each CPU fault really produced.</para>
/// </example>
/// <example>
/// <code>Get-ChaosResult -Id 20261201-101500-3fa9c1 -AsJson | Set-Content journal.json</code>
/// <para>Exports one test's journal as JSON.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "ChaosResult")]
[OutputType(typeof(ChaosResult), typeof(string))]
public sealed class GetChaosResultCommand : WorkflowCmdlet
{
    /// <summary>Result ids; a trailing * matches a prefix.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Id { get; set; }

    /// <summary>Only results of these fault types (Experiment for declared experiments).</summary>
    [Parameter]
    public ChaosFaultType[]? Type { get; set; }

    /// <summary>Only results with these verdicts.</summary>
    [Parameter]
    public ChaosVerdict[]? Verdict { get; set; }

    /// <summary>At most this many results (the newest).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int First { get; set; }

    /// <summary>Writes each result's journal as the JSON document stored in chaos.db.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    protected override void Process()
    {
        var results = new ChaosResults(State).List(new ChaosResultQuery { Ids = Id, Types = Type, Verdicts = Verdict, First = First > 0 ? First : null });
        if (results.Count == 0 && Id is { Length: > 0 } && Id.All(id => !WildcardPattern.ContainsWildcardCharacters(id)))
        {
            foreach (var id in Id)
            {
                WriteItemError(new ChaosException(ErrorIds.ChaosResultNotFound, Common.ErrorKind.ObjectNotFound,
                    $"No chaos result has the id '{id}'. Get-ChaosResult lists them."), id);
            }
            return;
        }
        foreach (var result in results)
        {
            WriteObject(AsJson ? ChaosResults.ToJson(result) : result);
        }
    }
}
