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

function Register-EngineTypes {
    # Tests that reach past the cmdlets into the engine (which lives in the module's own load
    # context, invisible to type literals) name its types through accelerators they add here.
    $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'WorkflowAutomation' | Select-Object -First 1
    if (-not $context) { throw 'Import the module before Register-EngineTypes.' }
    $engine = $context.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('WorkflowAutomation.Engine'))
    $accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
    foreach ($type in $engine.GetExportedTypes() | Where-Object { -not $_.IsNested }) { $accelerators::Add($type.FullName, $type) }
}

Export-ModuleMember -Function New-TestStateDirectory, Invoke-ChildPwsh, Register-EngineTypes
