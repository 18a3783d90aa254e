<#
.SYNOPSIS
    Deploys a package to a folder feed (a stand-in for a gallery) and records what was current before.
.DESCRIPTION
    Checks the package against its .sha256, refuses a version that would not become the
    feed's current one (as a gallery refuses a version it already has), publishes it with
    Publish-PSResource -NupkgPath, and writes the outputs version and previous (the version
    that was current before, empty for a first deployment) for the rollback.
.EXAMPLE
    pwsh -File tools/release/Publish-FeedPackage.ps1 -PackagePath out/pipeline/artifact/repository/WorkflowAutomation.0.1.0.nupkg -Feed out/pipeline/feeds/dev
#>
param(
    [Parameter(Mandatory)] [string] $PackagePath,
    [Parameter(Mandatory)] [string] $Feed
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReleaseHelpers.psm1')
$PackagePath = (Resolve-Path $PackagePath).ProviderPath
$Feed = [IO.Path]::GetFullPath($Feed)
New-Item -ItemType Directory -Force $Feed | Out-Null

$recorded = ((Get-Content "$PackagePath.sha256" -Raw) -split '\s+')[0]
$actual = (Get-FileHash $PackagePath -Algorithm SHA256).Hash.ToLowerInvariant()
if ($recorded -ne $actual) { throw "$PackagePath does not match its .sha256 ($actual, recorded $recorded): the artifact changed after packaging." }

$version = ConvertTo-PackageVersion ((Split-Path $PackagePath -Leaf) -replace '^WorkflowAutomation\.|\.nupkg$', '')
$current = Get-FeedPackage $Feed | Select-Object -First 1
if ($current -and (Compare-PackageVersion $version $current) -le 0) {
    throw "$Feed already has WorkflowAutomation $($current.Text), so $($version.Text) would not become current: raise version.txt (or give a later prerelease label)."
}

Use-IsolatedResourceHome (Join-Path ([IO.Path]::GetTempPath()) ('wa-feed-' + [guid]::NewGuid().ToString('n')))
try {
    Register-PSResourceRepository -Name Feed -Uri $Feed -Trusted -Force
    Publish-PSResource -NupkgPath $PackagePath -Repository Feed
}
finally {
    Remove-Item $env:HOME -Recurse -Force -ErrorAction Ignore
}
$listed = Get-FeedPackage $Feed | Select-Object -First 1
if ($listed.Text -ne $version.Text) { throw "After publishing, $Feed lists $($listed.Text) as current, not $($version.Text)." }
Write-StepOutput version $version.Text
Write-StepOutput previous ($current ? $current.Text : '')
"Deployed WorkflowAutomation $($version.Text) to $Feed" + ($current ? " (was $($current.Text))" : ' (its first version)')
