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
New-Item -ItemType Directory -Force $IsolatedHome | Out-Null
$env:HOME = $IsolatedHome
$env:XDG_DATA_HOME = Join-Path $IsolatedHome '.local/share'
$env:XDG_CONFIG_HOME = Join-Path $IsolatedHome '.config'
$env:LOCALAPPDATA = Join-Path $IsolatedHome 'AppData'
Register-PSResourceRepository -Name WorkflowAutomationLocal -Uri $RepositoryPath -Trusted -Force
Publish-PSResource -Path $ModulePath -Repository WorkflowAutomationLocal
