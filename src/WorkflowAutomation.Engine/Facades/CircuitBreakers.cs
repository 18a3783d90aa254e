using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Storage;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Facades;

/// <summary>The circuit breakers of the state directory, for Get- and Reset-CircuitBreaker and the dashboard.</summary>
public sealed class CircuitBreakers(StateDirectory state, WorkflowConfiguration configuration)
{
    /// <summary>Breakers whose name matches any of the patterns (all when none) and whose state is listed (any when none).</summary>
    public IReadOnlyList<CircuitBreakerInfo> List(IReadOnlyCollection<string>? names = null, IReadOnlyCollection<CircuitState>? states = null)
    {
        using var database = DaemonDatabase.Open(state);
        return Registry(database).List()
            .Where(breaker => names is null || names.Any(pattern => Wildcard.IsMatch(breaker.Name, pattern)))
            .Where(breaker => states is null || states.Contains(breaker.State))
            .ToList();
    }

    /// <summary>Closes the breakers that match; <see cref="CircuitBreakerNotFoundException"/> when none does.</summary>
    public IReadOnlyList<CircuitBreakerInfo> Reset(string name)
    {
        using var database = DaemonDatabase.Open(state);
        var registry = Registry(database);
        var known = registry.List();
        if (!known.Any(breaker => Wildcard.IsMatch(breaker.Name, name)))
        {
            throw new CircuitBreakerNotFoundException(name, known.Select(breaker => breaker.Name));
        }
        return registry.Reset(name);
    }

    private CircuitBreakerRegistry Registry(DaemonDatabase database) =>
        new(database, configuration.CircuitBreakerThreshold, configuration.CircuitBreakerDuration, TimeProvider.System);
}
