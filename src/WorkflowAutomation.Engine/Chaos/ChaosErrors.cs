using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;

namespace WorkflowAutomation.Chaos;

/// <summary>A chaos fault was asked for while CHAOS_ENABLED is not true.</summary>
public sealed class ChaosDisabledException()
    : WorkflowAutomationException(ErrorIds.ChaosDisabled, ErrorKind.PermissionDenied,
        $"Chaos faults are disabled: {ConfigurationKeys.ChaosEnabled.Name} is false. Enable them only in staging, with " +
        $"'Set-WorkflowConfiguration -Name {ConfigurationKeys.ChaosEnabled.Name} -Value true' or " +
        $"'$env:{ConfigurationKeys.ChaosEnabled.Name} = \"true\"' for this session.");

/// <summary>A chaos test cannot run as asked (bad target, missing tool, a selector that is too wide…).</summary>
public sealed class ChaosException(string errorId, ErrorKind kind, string message)
    : WorkflowAutomationException(errorId, kind, message);

/// <summary>The one gate every fault passes through.</summary>
public static class ChaosSafety
{
    /// <summary>Throws <see cref="ChaosDisabledException"/> unless CHAOS_ENABLED is true.</summary>
    public static void RequireEnabled(WorkflowConfiguration configuration)
    {
        if (!configuration.ChaosEnabled)
        {
            throw new ChaosDisabledException();
        }
    }
}

/// <summary>A chaos test ended Failed: the effect was out of tolerance, the hypothesis did not hold, or something was not reverted.</summary>
public sealed class ChaosTestFailedException(ChaosResult result)
    : WorkflowAutomationException(ErrorIds.ChaosTestFailed, ErrorKind.InvalidResult,
        $"Chaos test {result.Id} ({result.Name}) ended {result.Verdict}: {result.Message} Get-ChaosResult -Id {result.Id} shows its journal.");
