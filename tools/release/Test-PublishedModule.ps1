<#
.SYNOPSIS
    Smoke test of a published module: install it from a repository in a clean pwsh and run a workflow.
.DESCRIPTION
    Run it in a new pwsh (pwsh -NoProfile -File): before any module loads it gives that pwsh
    its own home (so its own PSResourceGet settings and module folder), a module path of only
    that folder and $PSHOME/Modules, and a fresh WORKFLOW_AUTOMATION_HOME. It registers the
    repository (a folder feed or a feed URL; PSGallery is known already), installs the
    newest version with Install-PSResource (what a user gets), checks that it is the version
    expected, imports the module by name and runs a two-step workflow whose second step reads the first one's output. Writes the
    output verified (the version) when all of it passed. -ForceFailure fails the test after
    the install, to rehearse a rollback.
.EXAMPLE
    pwsh -File tools/release/Test-PublishedModule.ps1 -Repository out/pipeline/feeds/staging -Version 0.1.0
.EXAMPLE
    pwsh -File tools/release/Test-PublishedModule.ps1 -Repository PSGallery -Version 0.2.0 -RetrySeconds 600
#>
param(
    # A folder feed, a feed URL, or PSGallery.
    [Parameter(Mandatory)] [string] $Repository,
    # The version the repository must offer as its newest, such as 1.2.0 or 1.2.0-rc1.
    [Parameter(Mandatory)] [string] $Version,
    # Keeps trying the install this long (a gallery takes a while to index a new version).
    [int] $RetrySeconds = 0,
    [switch] $ForceFailure
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'ReleaseHelpers.psm1')
$null = ConvertTo-PackageVersion $Version
# This pwsh (started with -NoProfile) becomes the clean one before any module loads: its own
# home, PSResourceGet settings and module folder, no inherited module path, a fresh state folder.
$isolated = Join-Path ([IO.Path]::GetTempPath()) ('wa-smoke-' + [guid]::NewGuid().ToString('n'))
$uri = $Repository -eq 'PSGallery' ? $null : ((Test-Path $Repository) ? (Resolve-Path $Repository).ProviderPath : $Repository)
Use-IsolatedResourceHome $isolated
$userModules = $IsWindows ? (Join-Path ([Environment]::GetFolderPath('MyDocuments')) 'PowerShell/Modules') : (Join-Path $env:XDG_DATA_HOME 'powershell/Modules')
$env:PSModulePath = $userModules + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $isolated 'state'
$workflow = Join-Path $isolated 'smoke.yaml'
Set-Content $workflow @'
name: smoke
execution_mode: parallel
steps:
  - name: greet
    shell: pwsh
    command: "'greeting=hello from ' + $env:WORKFLOW_NAME >> $env:WORKFLOW_OUTPUT"
  - name: check
    shell: pwsh
    depends_on: [greet]
    command: "if ($env:STEPS_GREET_OUTPUTS_GREETING -ne 'hello from smoke') { throw 'the output did not arrive' }"
'@
try {
    $repositoryName = 'PSGallery'
    if ($uri) {
        $repositoryName = 'Smoke'
        Register-PSResourceRepository -Name Smoke -Uri $uri -Trusted
    }
    $credential = $env:SMOKE_FEED_TOKEN ? [pscredential]::new(($env:SMOKE_FEED_USER ?? 'token'), (ConvertTo-SecureString $env:SMOKE_FEED_TOKEN -AsPlainText -Force)) : $null
    # What a user gets: the newest version (prereleases too when a prerelease is expected).
    $deadline = [DateTime]::UtcNow.AddSeconds($RetrySeconds)
    while ($true) {
        try {
            $install = @{ Name = 'WorkflowAutomation'; Repository = $repositoryName; Scope = 'CurrentUser'; TrustRepository = $true; Reinstall = $true; Prerelease = $Version.Contains('-') }
            if ($credential) { $install.Credential = $credential }
            Install-PSResource @install
            $installed = Get-InstalledPSResource WorkflowAutomation | Sort-Object Version -Descending | Select-Object -First 1
            $installedText = "$($installed.Version)" + ($installed.Prerelease ? "-$($installed.Prerelease)" : '')
            if ($installedText -eq $Version) { break }
            throw "$Repository offers WorkflowAutomation $installedText as its newest version, not $Version."
        }
        catch {
            if ([DateTime]::UtcNow -ge $deadline) { throw }
            Write-Host "Not installable yet ($($_.Exception.Message)); trying again in 15 s."
            Start-Sleep -Seconds 15
        }
    }
    Import-Module WorkflowAutomation
    $module = Get-Module WorkflowAutomation
    if (-not $module.ModuleBase.StartsWith($userModules)) { throw "Imported WorkflowAutomation from $($module.ModuleBase), not from the install in $userModules." }
    $label = $module.PrivateData.PSData.Prerelease
    $imported = "$($module.Version)" + ($label ? "-$label" : '')
    if ($imported -ne $Version) { throw "Imported WorkflowAutomation $imported, expected $Version." }
    $run = Invoke-Workflow -Path $workflow
    if ($run.Status -ne 'Succeeded') { throw "The smoke workflow ended $($run.Status): $($run.Error)" }
    "smoke: WorkflowAutomation $imported from $Repository, installed at $($module.ModuleBase), ran workflow '$($run.Name)': $($run.Status)"
}
finally {
    Remove-Module WorkflowAutomation -ErrorAction Ignore
    Remove-Item $isolated -Recurse -Force -ErrorAction Ignore
}
if ($ForceFailure) { throw "The smoke test of $Repository was told to fail (-ForceFailure), to rehearse the rollback." }
Write-StepOutput verified $Version
