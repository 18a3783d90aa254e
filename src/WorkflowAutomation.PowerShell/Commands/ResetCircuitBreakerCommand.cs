using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Closes circuit breakers, so their steps and workflows run again at once.</summary>
/// <remarks>
/// Use it once the cause of the failures is fixed, instead of waiting for the breaker to
/// half-open. The failure count starts again from zero. A name that matches no breaker is
/// reported with the error CircuitBreakerNotFound.
/// </remarks>
/// <example>
/// <code>Reset-CircuitBreaker -Name 'nightly/*'</code>
/// <para>Closes the breakers of every step of the workflow nightly (step breakers are named '&lt;workflow&gt;/&lt;step&gt;'; names complete with Tab).</para>
/// </example>
/// <example>
/// <code>Get-CircuitBreaker -State Open | Reset-CircuitBreaker</code>
/// <para>Closes every open breaker.</para>
/// </example>
[Cmdlet(VerbsCommon.Reset, "CircuitBreaker", SupportsShouldProcess = true)]
[OutputType(typeof(CircuitBreakerInfo))]
public sealed class ResetCircuitBreakerCommand : WorkflowCmdlet
{
    /// <summary>Names of the breakers to close; wildcards are allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(CircuitBreakerNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void Process()
    {
        var breakers = new CircuitBreakers(State, Configuration);
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Close the circuit breaker"))
            {
                continue;
            }
            try
            {
                WriteObject(breakers.Reset(name), enumerateCollection: true);
            }
            catch (CircuitBreakerNotFoundException exception)
            {
                WriteItemError(exception, name);
            }
        }
    }
}
