<#
.SYNOPSIS
    Runs the Pester suite against a built module and writes the pass/fail counts as JSON.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Filter = ($env:WORKFLOW_AUTOMATION_PESTER_FILTER ?? '*')
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath
# Test files import the module from here; each test file runs against its own state directory.
$env:WORKFLOW_AUTOMATION_TEST_MODULE = Join-Path $ModulePath 'WorkflowAutomation.psd1'
$configuration = New-PesterConfiguration
# One wildcard or several, comma-separated (build.ps1 Test -Component passes the part's files).
$configuration.Run.Path = @($Filter -split ',' | ForEach-Object { Get-ChildItem $PSScriptRoot -Filter "$($_.Trim()).Tests.ps1" } |
    Sort-Object FullName -Unique | ForEach-Object FullName)
$configuration.Run.PassThru = $true
$configuration.Output.RenderMode = 'Plaintext'
$configuration.Output.Verbosity = 'Normal'
# Every state directory a test file creates is listed here and removed at the end.
$env:WORKFLOW_AUTOMATION_TEST_CREATED = Join-Path ([System.IO.Path]::GetTempPath()) "wa-pester-$PID.list"
try { $result = Invoke-Pester -Configuration $configuration }
finally {
    if (Test-Path $env:WORKFLOW_AUTOMATION_TEST_CREATED) {
        Get-Content $env:WORKFLOW_AUTOMATION_TEST_CREATED | Remove-Item -Recurse -Force -ErrorAction Ignore
        Remove-Item $env:WORKFLOW_AUTOMATION_TEST_CREATED
    }
}
[pscustomobject]@{
    Passed = $result.PassedCount
    # A file that fails to load counts as a failure too.
    Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
    # Named again at the very end of the run, where a CI log's tail still shows them.
    FailedNames = @($result.Failed | ForEach-Object ExpandedPath) + @($result.FailedBlocks | ForEach-Object ExpandedPath) +
        @($result.FailedContainers | ForEach-Object { "$($_.Item)" })
} | ConvertTo-Json | Set-Content $SummaryPath
