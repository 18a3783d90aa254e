using System.Management.Automation;
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
/// <code>Reset-CircuitBreaker -Name 'step:curl*'</code>
/// <para>Closes the breakers of every step command that starts with curl.</para>
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
