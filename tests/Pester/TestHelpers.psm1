# Shared by the Pester files: a fresh state directory per test file, and child pwsh runs.

function New-TestStateDirectory {
    # Every test file points the module at a fresh, owner-only state directory.
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("wa-test-" + [guid]::NewGuid().ToString('n'))
    New-Item -ItemType Directory -Path $path | Out-Null
    if (-not $IsWindows) { chmod 700 $path }
    $env:WORKFLOW_AUTOMATION_HOME = $path
    # The suite removes what it created when it ends (Invoke-PesterSuite.ps1).
    if ($env:WORKFLOW_AUTOMATION_TEST_CREATED) { Add-Content -LiteralPath $env:WORKFLOW_AUTOMATION_TEST_CREATED -Value $path }
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

function Get-FreePort {
    # A loopback port the kernel says is free now; tests bind it at once.
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start()
    try { $probe.LocalEndpoint.Port } finally { $probe.Stop() }
}

function Connect-Loopback([int] $Port) {
    # A connect to a loopback port nobody listens on can succeed against itself (TCP simultaneous
    # open) when the kernel picks that very port as the source, and then echoes what it sends:
    # that is no listener, so it counts as refused.
    $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
    if ($client.Client.LocalEndPoint.Port -eq $Port) {
        $client.Dispose()
        throw [System.Net.Sockets.SocketException]::new([int][System.Net.Sockets.SocketError]::ConnectionRefused)
    }
    $client
}

Export-ModuleMember -Function New-TestStateDirectory, Invoke-ChildPwsh, Register-EngineTypes, Get-FreePort, Connect-Loopback
