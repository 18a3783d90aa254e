using System.Management.Automation;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// Lets -Resolution take the labels users type (Raw, 1m, 5m, 15m, 1h, 1d) as well as the
/// enum's names, so both <c>-Resolution 5m</c> and <c>-Resolution FiveMinutes</c> work.
/// </summary>
public sealed class MetricResolutionTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>The labels, in the order of <see cref="MetricResolution"/>.</summary>
    internal static readonly string[] Labels = ["Raw", "1m", "5m", "15m", "1h", "1d"];

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is string text)
        {
            var index = Array.FindIndex(Labels, label => string.Equals(label, text.Trim(), StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                return (MetricResolution)index;
            }
        }
        return inputData;
    }
}
