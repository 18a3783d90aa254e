<#
.SYNOPSIS
    Rolls a folder feed back to the version that was current before a deployment.
.DESCRIPTION
    A deployment whose smoke test verified it is kept. Otherwise the deployed version is
    unlisted (moved into the feed's 'unlisted' folder, as a gallery unlists a version it
    never deletes), and the feed is checked to list the previous version as current again.
    Writes the output current.
.EXAMPLE
    pwsh -File tools/release/Undo-FeedDeployment.ps1 -Feed out/pipeline/feeds/staging -Version 0.2.0 -Previous 0.1.0
#>
param(
    [Parameter(Mandatory)] [string] $Feed,
    # The version the deployment published; empty when it never got that far.
    [string] $Version,
    # The version that was current before (empty for a feed's first deployment).
    [string] $Previous,
    # The version the smoke test verified, if it did.
    [string] $Verified
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReleaseHelpers.psm1')
if (-not $Version) { "Nothing to roll back in ${Feed}: the deployment published nothing."; return }
if ($Verified -eq $Version) { "$Feed keeps WorkflowAutomation ${Version}: its smoke test passed."; return }
$package = Join-Path $Feed "WorkflowAutomation.$Version.nupkg"
if (Test-Path $package) {
    $unlisted = New-Item -ItemType Directory -Force (Join-Path $Feed 'unlisted')
    Move-Item $package $unlisted -Force
}
$current = Get-FeedPackage $Feed | Select-Object -First 1
$currentText = $current ? $current.Text : ''
if ($currentText -ne $Previous) { throw "After unlisting $Version, $Feed lists '$currentText' as current, not the previous '$Previous'." }
Write-StepOutput current $currentText
"Rolled $Feed back: $Version unlisted, " + ($Previous ? "$Previous is current again." : 'no version is listed (it was the first).')
