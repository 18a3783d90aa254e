using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Gets the circuit breakers of the daemon's step commands and workflows.</summary>
/// <remarks>
/// A breaker opens after CIRCUIT_BREAKER_THRESHOLD failures in a row of a workflow's step
/// ("&lt;workflow&gt;/&lt;step&gt;", with the step's command in its Command property) or of a workflow ("workflow:&lt;name&gt;"); while open, the step or
/// run fails fast with status CircuitOpen. After CIRCUIT_BREAKER_DURATION it half-opens and lets
/// one trial through: success closes it, failure opens it again. Breakers are kept in the state
/// directory, so this works whether or not the daemon runs.
/// </remarks>
/// <example>
/// <code>Get-CircuitBreaker -State Open</code>
/// <para>Lists the breakers that make steps fail fast now.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "CircuitBreaker")]
[OutputType(typeof(CircuitBreakerInfo))]
public sealed class GetCircuitBreakerCommand : WorkflowCmdlet
{
    /// <summary>Names of the breakers to get; wildcards are allowed. All when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(CircuitBreakerNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only breakers in these states.</summary>
    [Parameter]
    public new CircuitState[]? State { get; set; }

    protected override void Process() =>
        WriteObject(new CircuitBreakers(base.State, Configuration).List(Name, State), enumerateCollection: true);
}
