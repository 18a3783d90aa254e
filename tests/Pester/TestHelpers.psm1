# Shared by the Pester files: a fresh state directory per test file, and child pwsh runs.

function New-TestStateDirectory {
    # Every test file points the module at a fresh, owner-only state directory.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("wa-test-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $path | Out-Null
    if (-not $IsWindows) { chmod 700 $path }
    $env:WORKFLOW_AUTOMATION_HOME = $path
    $path
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh process (a clean AppDomain) and returns its output lines.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    try {
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
        $output = & $pwsh -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

Export-ModuleMember -Function New-TestStateDirectory, Invoke-ChildPwsh
