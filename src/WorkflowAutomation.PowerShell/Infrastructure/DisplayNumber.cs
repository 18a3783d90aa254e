using System.Globalization;

namespace WorkflowAutomation.PowerShell.Infrastructure;

/// <summary>
/// How the table views show a metric value: every digit of the integer part, grouped, and
/// up to six decimals; never scientific notation, which hides byte counts and counters.
/// </summary>
public static class DisplayNumber
{
    public static string Format(double value) =>
        double.IsFinite(value) ? value.ToString("#,0.######", CultureInfo.CurrentCulture) : value.ToString(CultureInfo.CurrentCulture);
}
