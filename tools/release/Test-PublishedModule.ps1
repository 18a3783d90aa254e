<#
.SYNOPSIS
    Smoke test of a published module: install it from a repository in a clean pwsh and run a workflow.
.DESCRIPTION
    The clean pwsh has its own home (so its own PSResourceGet settings and module folder),
    no inherited PSModulePath and a fresh WORKFLOW_AUTOMATION_HOME. It registers the
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
$isolated = Join-Path ([IO.Path]::GetTempPath()) ('wa-smoke-' + [guid]::NewGuid().ToString('n'))
$uri = $Repository -eq 'PSGallery' ? $null : ((Test-Path $Repository) ? (Resolve-Path $Repository).ProviderPath : $Repository)
Use-IsolatedResourceHome $isolated
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $isolated 'state'
$env:SMOKE_REPOSITORY_URI = $uri
$env:SMOKE_VERSION = $Version
$env:SMOKE_RETRY_SECONDS = $RetrySeconds
$env:SMOKE_WORKFLOW = Join-Path $isolated 'smoke.yaml'
Set-Content $env:SMOKE_WORKFLOW @'
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
# Values reach the clean pwsh through its environment, never pasted into its script.
$script = {
    $ErrorActionPreference = 'Stop'
    $repository = 'PSGallery'
    if ($env:SMOKE_REPOSITORY_URI) {
        $repository = 'Smoke'
        Register-PSResourceRepository -Name Smoke -Uri $env:SMOKE_REPOSITORY_URI -Trusted
    }
    $credential = $env:SMOKE_FEED_TOKEN ? [pscredential]::new(($env:SMOKE_FEED_USER ?? 'token'), (ConvertTo-SecureString $env:SMOKE_FEED_TOKEN -AsPlainText -Force)) : $null
    # What a user gets: the newest version (prereleases too when a prerelease is expected).
    $deadline = [DateTime]::UtcNow.AddSeconds([int]$env:SMOKE_RETRY_SECONDS)
    while ($true) {
        try {
            $install = @{ Name = 'WorkflowAutomation'; Repository = $repository; Scope = 'CurrentUser'; TrustRepository = $true; Reinstall = $true; Prerelease = $env:SMOKE_VERSION.Contains('-') }
            if ($credential) { $install.Credential = $credential }
            Install-PSResource @install
            $installed = Get-InstalledPSResource WorkflowAutomation | Sort-Object Version -Descending | Select-Object -First 1
            $installedText = "$($installed.Version)" + ($installed.Prerelease ? "-$($installed.Prerelease)" : '')
            if ($installedText -eq $env:SMOKE_VERSION) { break }
            throw "$repository offers WorkflowAutomation $installedText as its newest version, not $($env:SMOKE_VERSION)."
        }
        catch {
            if ([DateTime]::UtcNow -ge $deadline) { throw }
            Write-Host "Not installable yet ($($_.Exception.Message)); trying again in 15 s."
            Start-Sleep -Seconds 15
        }
    }
    Import-Module WorkflowAutomation
    $module = Get-Module WorkflowAutomation
    $label = $module.PrivateData.PSData.Prerelease
    $imported = "$($module.Version)" + ($label ? "-$label" : '')
    if ($imported -ne $env:SMOKE_VERSION) { throw "Imported WorkflowAutomation $imported, expected $($env:SMOKE_VERSION)." }
    $run = Invoke-Workflow -Path $env:SMOKE_WORKFLOW
    if ($run.Status -ne 'Succeeded') { throw "The smoke workflow ended $($run.Status): $($run.Error)" }
    "smoke: WorkflowAutomation $imported from $repository, installed at $($module.ModuleBase), ran workflow '$($run.Name)': $($run.Status)"
}
try {
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script.ToString()))
    & (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')) -NoProfile -NonInteractive -EncodedCommand $encoded
    if ($LASTEXITCODE -ne 0) { throw "The smoke test of WorkflowAutomation $Version from $Repository failed (exit code $LASTEXITCODE)." }
}
finally {
    Remove-Item $isolated -Recurse -Force -ErrorAction Ignore
}
if ($ForceFailure) { throw "The smoke test of $Repository was told to fail (-ForceFailure), to rehearse the rollback." }
Write-StepOutput verified $Version
