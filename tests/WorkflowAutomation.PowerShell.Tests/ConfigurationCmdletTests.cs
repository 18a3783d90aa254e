namespace WorkflowAutomation.PowerShell.Tests;

public sealed class ConfigurationCmdletTests : IDisposable
{
    private readonly ModuleSession session = new();

    public void Dispose() => session.Dispose();

    [Fact]
    public void Get_returns_typed_settings_that_pipe()
    {
        var result = session.Invoke("Get-WorkflowConfiguration | Where-Object Key -eq 'DASHBOARD_PORT' | ForEach-Object Value");
        Assert.Empty(result.Errors);
        Assert.Equal(8080, (int)result.Output.Single().BaseObject);
    }

    [Fact]
    public void Invalid_value_is_an_error_record_with_a_stable_id()
    {
        var result = session.Invoke("Set-WorkflowConfiguration -Name HEALTH_CHECK_INTERVAL -Value never");
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("ConfigurationValueInvalid", error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("HEALTH_CHECK_INTERVAL", error.Exception.Message);
    }

    [Fact]
    public void Every_cmdlet_has_help_with_a_synopsis_and_an_example()
    {
        var result = session.Invoke("""
            Get-Command -Module WorkflowAutomation | ForEach-Object {
                $help = Get-Help $_.Name -Full
                if (-not $help.Synopsis -or $help.Synopsis -like "$($_.Name)*" -or -not $help.Examples) { $_.Name }
            }
            """);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Output);
    }
}
