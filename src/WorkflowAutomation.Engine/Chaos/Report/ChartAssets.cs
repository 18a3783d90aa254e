using System.Reflection;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// uPlot's script and style, the same npm package the dashboard embeds in the engine
/// assembly, so a report draws its charts without any network access.
/// </summary>
internal static class ChartAssets
{
    private const string Script = "dashboard/vendor/uPlot.esm.js";
    private const string Style = "dashboard/vendor/uPlot.min.css";

    /// <summary>uPlot as a classic script that sets window.uPlot, and its CSS.</summary>
    public static (string Script, string Style) Load()
    {
        var module = Read(Script);
        // The ES module's one export becomes a global, so the script can be inlined in a plain page.
        var classic = System.Text.RegularExpressions.Regex.Replace(module, @"export\s*\{\s*uPlot\s+as\s+default\s*\};?", "window.uPlot = uPlot;");
        return (classic, Read(Style));
    }

    private static string Read(string name)
    {
        using var stream = typeof(ChartAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new WorkflowAutomationException(ErrorIds.ChaosReportAssetsMissing, ErrorKind.ResourceUnavailable,
                $"The chart library ({name}) is not embedded in this build. Build with build.ps1, which restores uPlot with npm ci.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
