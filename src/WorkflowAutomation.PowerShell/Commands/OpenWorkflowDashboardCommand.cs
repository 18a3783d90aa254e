using System.Management.Automation;
using WorkflowAutomation.Dashboard;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Opens the daemon's dashboard in the browser, signed in with the token.</summary>
/// <remarks>
/// The address carries the token from the state directory once; the dashboard trades it for
/// an HttpOnly cookie and drops it from the address bar. Where no browser can be opened (a
/// server without a desktop, or with -NoBrowser) the address is written instead, to open
/// elsewhere (through an SSH tunnel, for example). Anyone who has the address can use the
/// dashboard until the token changes: do not paste it where others read.
/// </remarks>
/// <example>
/// <code>Open-WorkflowDashboard</code>
/// <para>Opens the Overview page in the default browser, or prints its address.</para>
/// </example>
/// <example>
/// <code>Open-WorkflowDashboard -RunId (Get-WorkflowRun -First 1).Id -NoBrowser</code>
/// <para>Writes the address of the newest run's page.</para>
/// </example>
[Cmdlet(VerbsCommon.Open, "WorkflowDashboard")]
[OutputType(typeof(string))]
public sealed class OpenWorkflowDashboardCommand : DaemonCmdlet
{
    /// <summary>Opens this run's page instead of the Overview.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public string? RunId { get; set; }

    /// <summary>Writes the address instead of opening a browser.</summary>
    [Parameter]
    public SwitchParameter NoBrowser { get; set; }

    protected override void Process()
    {
        string url;
        try
        {
            url = DashboardLink.Build(CurrentStatus(), Daemon.Paths, RunId);
        }
        catch (Common.WorkflowAutomationException exception)
        {
            ThrowTerminatingError(ErrorRecords.From(exception, State.Root));
            return;
        }
        if (NoBrowser || !DashboardLink.TryOpenBrowser(url))
        {
            WriteObject(url);
            return;
        }
        WriteVerbose("Opened the dashboard in the browser.");
    }
}
