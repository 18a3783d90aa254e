using System.Management.Automation;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
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
        using var database = DaemonDatabase.Open(State);
        var registry = new CircuitBreakerRegistry(database, Configuration.CircuitBreakerThreshold, Configuration.CircuitBreakerDuration, TimeProvider.System);
        foreach (var name in Name)
        {
            var known = registry.List();
            if (!known.Any(breaker => NamePattern.IsMatch(name, breaker.Name)))
            {
                WriteItemError(new CircuitBreakerNotFoundException(name, known.Select(breaker => breaker.Name)), name);
                continue;
            }
            if (ShouldProcess(name, "Close the circuit breaker"))
            {
                WriteObject(registry.Reset(name), enumerateCollection: true);
            }
        }
    }
}
