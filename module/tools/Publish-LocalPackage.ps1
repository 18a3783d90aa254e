<#
.SYNOPSIS
    Publishes the built module to a folder repository, as Publish-PSResource does for PSGallery.
.DESCRIPTION
    Runs with an isolated HOME so the repository registration never touches the user's own
    PSResourceGet settings.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $RepositoryPath,
    [Parameter(Mandatory)] [string] $IsolatedHome
)
$ErrorActionPreference = 'Stop'
$env:HOME = $IsolatedHome
$env:XDG_DATA_HOME = Join-Path $IsolatedHome '.local/share'
$env:XDG_CONFIG_HOME = Join-Path $IsolatedHome '.config'
$env:LOCALAPPDATA = Join-Path $IsolatedHome 'AppData'
# .NET reports a per-user folder only once it exists; a missing one would make the settings land in the working folder.
$env:XDG_DATA_HOME, $env:XDG_CONFIG_HOME, $env:LOCALAPPDATA | ForEach-Object { New-Item -ItemType Directory -Force $_ | Out-Null }
Register-PSResourceRepository -Name WorkflowAutomationLocal -Uri $RepositoryPath -Trusted -Force
Publish-PSResource -Path $ModulePath -Repository WorkflowAutomationLocal

# What a user types next, ready to paste into any pwsh session (re-runnable: -Force, -Reinstall).
$repository = (Resolve-Path $RepositoryPath).ProviderPath
$manifest = Join-Path (Resolve-Path $ModulePath).ProviderPath 'WorkflowAutomation.psd1'
@"

Install the package in any pwsh session:
    Register-PSResourceRepository -Name WorkflowAutomationLocal -Uri '$repository' -Trusted -Force
    Install-PSResource -Name WorkflowAutomation -Repository WorkflowAutomationLocal -Reinstall
    Import-Module WorkflowAutomation
Or load the build without installing it:
    Import-Module '$manifest'
"@
