<#
.SYNOPSIS
    The main job: set up a fresh state directory, validate the example workflows, show
    their graphs and the configuration.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')

# A state directory of the demo's own, so it never touches the user's real one.
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $ModulePath '../demo-state'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore

Write-Host "`n== Initialize-WorkflowFramework" -ForegroundColor Cyan
Initialize-WorkflowFramework | Format-Table -AutoSize | Out-Host

Write-Host "== Get-WorkflowConfiguration" -ForegroundColor Cyan
Get-WorkflowConfiguration | Format-Table -AutoSize | Out-Host
