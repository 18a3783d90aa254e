<#
.SYNOPSIS
    Packages a built module as the .nupkg a gallery receives, with its SHA-256 beside it.
.DESCRIPTION
    Copies the module, stamps a prerelease label into the copy's manifest when one is given
    (a CI build or a staging feed: 1.2.0 becomes 1.2.0-rc7; assemblies keep 1.2.0), and
    publishes it with Publish-PSResource to a folder repository under -OutputPath. Writes
    the outputs package, version and sha256 (workflow step outputs or GitHub step outputs).
    PSResourceGet settings stay in an isolated home under -OutputPath.
.EXAMPLE
    pwsh -File tools/release/New-ReleasePackage.ps1 -ModulePath out/WorkflowAutomation -OutputPath out/pipeline/artifact -Prerelease ci42
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [ValidatePattern('^$|^[A-Za-z][A-Za-z0-9]*$')] [string] $Prerelease
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReleaseHelpers.psm1')
$ModulePath = (Resolve-Path $ModulePath).ProviderPath
if (-not (Test-Path (Join-Path $ModulePath 'WorkflowAutomation.psd1'))) { throw "No built module at $ModulePath (WorkflowAutomation.psd1 is missing): run ./build.ps1 Build first." }
$OutputPath = [IO.Path]::GetFullPath($OutputPath)
$stage = Join-Path $OutputPath 'stage/WorkflowAutomation'
$repository = Join-Path $OutputPath 'repository'
Remove-Item (Join-Path $OutputPath 'stage'), $repository -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory -Force $stage, $repository | Out-Null
Copy-Item (Join-Path $ModulePath '*') $stage -Recurse

$manifest = Join-Path $stage 'WorkflowAutomation.psd1'
if ($Prerelease) {
    $text = Get-Content $manifest -Raw
    $text = $text -match "(?m)^\s*Prerelease\s*=" ? ($text -replace "(?m)^(\s*)Prerelease\s*=\s*'[^']*'", "`$1Prerelease   = '$Prerelease'") `
        : ($text -replace '(?m)^(\s*)PSData\s*=\s*@\{', "`$0`n`$1    Prerelease   = '$Prerelease'")
    Set-Content $manifest $text
}
$data = Import-PowerShellDataFile $manifest
$version = $data.ModuleVersion + ($data.PrivateData.PSData.Prerelease ? "-$($data.PrivateData.PSData.Prerelease)" : '')

Use-IsolatedResourceHome (Join-Path $OutputPath 'home')
Register-PSResourceRepository -Name ReleaseArtifact -Uri $repository -Trusted -Force
Publish-PSResource -Path $stage -Repository ReleaseArtifact
$package = Join-Path $repository "WorkflowAutomation.$version.nupkg"
if (-not (Test-Path $package)) { throw "Publish-PSResource did not write $package." }
$sha256 = (Get-FileHash $package -Algorithm SHA256).Hash.ToLowerInvariant()
# The sha256sum format, so `sha256sum -c` checks it as well.
Set-Content "$package.sha256" "$sha256  $(Split-Path $package -Leaf)" -NoNewline
Write-StepOutput package $package
Write-StepOutput version $version
Write-StepOutput sha256 $sha256
"Packaged WorkflowAutomation ${version}: $package (sha256 $sha256)"
