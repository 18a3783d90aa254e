<#
.SYNOPSIS
    Runs examples/pipeline.yaml with a given WorkflowAutomation module (what ./build.ps1 Pipeline does).
.DESCRIPTION
    Runs are recorded in their own state directory beside the feeds (-WorkPath/state). Each
    run packages the version in version.txt with the label local<UTC time>, so every run
    deploys a newer version than the last and a rollback has a previous one to return to.
    Prod waits for an approval: answered at the prompt in a console, or given in advance
    with -Approve deploy_prod; unattended without it, the run stops at the gate and fails.
.EXAMPLE
    pwsh -File tools/release/Invoke-Pipeline.ps1 -ModulePath out/pipeline/runner/WorkflowAutomation -WorkPath out/pipeline -Approve deploy_prod
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkPath,
    # Gates approved in advance, comma-separated (deploy_prod).
    [string] $Approve
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReleaseHelpers.psm1')
$WorkPath = [IO.Path]::GetFullPath($WorkPath)
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $WorkPath 'state'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
$parameters = @{ work = $WorkPath; prerelease = 'local' + [DateTime]::UtcNow.ToString('yyyyMMddHHmmss') }
$run = Invoke-Workflow -Path (Join-Path $PSScriptRoot '../../examples/pipeline.yaml') -Parameter $parameters -Approve ($Approve -split ',' | Where-Object { $_ }) -ErrorAction Continue
$run.Steps | Format-Table Name, Status, Attempts, Error -AutoSize -Wrap | Out-Host
if ($run.Rollbacks) { $run.Rollbacks | Format-Table Step, Status, Error -AutoSize -Wrap | Out-Host }
foreach ($feed in 'dev', 'staging', 'prod') {
    $current = Get-FeedPackage (Join-Path $WorkPath "feeds/$feed") | Select-Object -First 1
    Write-Host "${feed}: current WorkflowAutomation $(if ($current) { $current.Text } else { 'none' })"
}
Write-Host "Pipeline run $($run.Id): $($run.Status)"
if ($run.Status -ne 'Succeeded') { exit 1 }
