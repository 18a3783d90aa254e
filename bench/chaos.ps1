<#
.SYNOPSIS
    How exact the chaos faults are, and how fast they revert, measured in one run.
.DESCRIPTION
    - TCP fault proxy without toxics: round-trip p50 through the proxy against a direct
      connection to the same loopback echo server (Toxiproxy publishes < 100 µs of overhead).
    - Latency toxic: set 100 ms, measured p50 of the added round-trip time (goal ±10 ms).
    - Cpu fault: set 50 % of every core, measured from /proc/stat against the idle baseline
      of the same machine just before (goal ±10 points).
    - Revert after Ctrl+C: a child pwsh corrupts a file; SIGINT is sent and the time until the
      file is back byte for byte is measured (goal < 1 s).
    - The resilience suite (Invoke-ChaosTest -Type Suite): its duration (goal < 60 s) and score.
    Each figure also goes to the closing table of ./build.ps1 Bench (Add-BenchFigure).
    The machine may be busy with other work: the figures say how busy (the baseline).
.EXAMPLE
    dotnet pwsh bench/chaos.ps1 -ModulePath out/WorkflowAutomation
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/WorkflowAutomation'),
    [int] $RoundTrips = 500
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$PSStyle.OutputRendering = 'PlainText'
$env:WORKFLOW_AUTOMATION_HOME = Join-Path ([IO.Path]::GetTempPath()) "wa-bench-chaos-$PID"
New-Item -ItemType Directory -Force $env:WORKFLOW_AUTOMATION_HOME | Out-Null
$env:CHAOS_ENABLED = 'true'
$manifest = Join-Path (Resolve-Path $ModulePath) 'WorkflowAutomation.psd1'
Import-Module $manifest -Force
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1') -Force

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop(); $port
}

function Measure-RoundTrips([int] $Port, [int] $Count) {
    $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port); $client.NoDelay = $true
    $stream = $client.GetStream(); $payload = [byte[]](1..16); $buffer = [byte[]]::new(16)
    $times = [double[]]::new($Count)
    for ($i = -20; $i -lt $Count; $i++) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $stream.Write($payload, 0, 16)
        $read = 0; while ($read -lt 16) { $read += $stream.Read($buffer, $read, 16 - $read) }
        if ($i -ge 0) { $times[$i] = $clock.Elapsed.TotalMilliseconds }
    }
    $client.Dispose()
    [Array]::Sort($times)
    $times[[int]($Count / 2)]
}

function Wait-Port([int] $Port) {
    $deadline = [datetime]::UtcNow.AddSeconds(30)
    while ([datetime]::UtcNow -lt $deadline) {
        try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port).Dispose(); return } catch { Start-Sleep -Milliseconds 50 }
    }
    throw "Nothing listens on $Port."
}

function Read-ProcStat {
    $f = ((Get-Content /proc/stat -TotalCount 1) -split '\s+' | Select-Object -Skip 1 | Select-Object -First 8) | ForEach-Object { [long]$_ }
    [pscustomobject]@{ Busy = ($f | Measure-Object -Sum).Sum - $f[3] - $f[4]; Total = ($f | Measure-Object -Sum).Sum }
}

function Measure-BusyPercent([double] $Seconds) {
    $a = Read-ProcStat; Start-Sleep -Milliseconds ([int]($Seconds * 1000)); $b = Read-ProcStat
    100.0 * ($b.Busy - $a.Busy) / ($b.Total - $a.Total)
}

$rows = [Collections.Generic.List[object]]::new()

# Echo server: one connection at a time, in a thread of this session.
$echo = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
$echo.Start()
$echoPort = $echo.LocalEndpoint.Port
$echoJob = Start-ThreadJob -ArgumentList $echo -ScriptBlock {
    param($listener)
    while ($true) {
        $client = $listener.AcceptTcpClient(); $client.NoDelay = $true
        $stream = $client.GetStream(); $buffer = [byte[]]::new(4096)
        try { while (($n = $stream.Read($buffer, 0, 4096)) -gt 0) { $stream.Write($buffer, 0, $n) } } catch { }
        $client.Dispose()
    }
}
try {
    # Proxy overhead, no toxic.
    $port = Get-FreePort
    $job = Invoke-ChaosTest -Type Network -Target "127.0.0.1:$echoPort" -ListenPort $port -DurationSeconds 600 -Force -AsJob
    Wait-Port $port
    $direct = Measure-RoundTrips $echoPort $RoundTrips
    $proxied = Measure-RoundTrips $port $RoundTrips
    $direct2 = Measure-RoundTrips $echoPort $RoundTrips
    Stop-Job $job; Remove-Job $job
    $directP50 = [math]::Min($direct, $direct2)
    $rows.Add([pscustomobject]@{ Measure = 'proxy round trip p50, no toxic'; Value = '{0:0.000} ms' -f $proxied; Peer = 'direct {0:0.000} ms' -f $directP50; Result = ('overhead {0:0} µs (Toxiproxy: < 100 µs); ratio {1:0.00}' -f (($proxied - $directP50) * 1000), ($proxied / $directP50)) })

    # Latency accuracy.
    $port = Get-FreePort
    $job = Invoke-ChaosTest -Type Network -Target "127.0.0.1:$echoPort" -ListenPort $port -LatencyMs 100 -DurationSeconds 600 -Force -AsJob
    Wait-Port $port
    $withLatency = Measure-RoundTrips $port 50
    Stop-Job $job; Remove-Job $job
    $added = $withLatency - $directP50
    $rows.Add([pscustomobject]@{ Measure = 'latency toxic 100 ms, added p50'; Value = '{0:0.0} ms' -f $added; Peer = 'set 100 ms'; Result = 'error {0:+0.0;-0.0} ms (goal ±10)' -f ($added - 100) })
}
finally {
    $echo.Stop(); Stop-Job $echoJob; Remove-Job $echoJob -Force
}

# CPU accuracy from /proc/stat.
$baseline = Measure-BusyPercent 2
$job = Invoke-ChaosTest -Type Cpu -Percent 50 -DurationSeconds 6 -Force -AsJob
Start-Sleep -Milliseconds 1500
$during = Measure-BusyPercent 3
$result = Receive-Job $job -Wait -ErrorAction SilentlyContinue; Remove-Job $job
# The quieter of the baselines before and after: work still winding down from the proxy
# measurements above can make the first one busier than the machine is.
$baseline = [math]::Min($baseline, (Measure-BusyPercent 2))
$measured = $during - $baseline
$engine = $result.Parameters['Engine']
$rows.Add([pscustomobject]@{ Measure = "cpu 50 % of every core ($engine, /proc/stat)"; Value = '{0:0.0} points' -f $measured; Peer = 'baseline {0:0.0} % busy' -f $baseline; Result = ('error {0:+0.0;-0.0} points (goal ±10); the load got {1:0.0} % by its own CPU time' -f ($measured - 50), $result.Mean('cpu.fault_percent')) })
# On a machine already busier than 50 % the added load cannot show fully in /proc/stat; the baseline says so.
$cpuMet = [math]::Abs($measured - 50) -le 10
Add-BenchFigure -Bench chaos -Measure "cpu fault 50 % of every core ($engine)" -Figure ('{0:0.0} points more busy in /proc/stat (baseline {1:0.0} %); the load got {2:0.0} %' -f $measured, $baseline, $result.Mean('cpu.fault_percent')) -Target '50 ± 10 points' -Met $cpuMet

# Revert after Ctrl+C (SIGINT to a session running a fault).
$file = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'victim.bin'
$bytes = [byte[]]::new(1MB); [Random]::new(1).NextBytes($bytes); [IO.File]::WriteAllBytes($file, $bytes)
$hash = (Get-FileHash $file).Hash
$pwsh = Join-Path $PSHOME 'pwsh'
$childArguments = @('-NoProfile', '-Command', "Import-Module '$manifest'; Invoke-ChaosTest -Type Corruption -Path '$file' -Bytes 4096 -DurationSeconds 600 -Force")
# A shell that started this benchmark in the background ignores SIGINT, and its children inherit
# that: the child gets Ctrl+C's default back, as it has in a terminal.
$child = if ($IsLinux -and (Test-Path /usr/bin/env)) { Start-Process /usr/bin/env -ArgumentList (@('--default-signal=INT', $pwsh) + $childArguments) -PassThru }
         else { Start-Process $pwsh -ArgumentList $childArguments -PassThru }
$deadline = [datetime]::UtcNow.AddSeconds(60)
while ((Get-FileHash $file).Hash -eq $hash -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
Start-Sleep -Milliseconds 500
$clock = [Diagnostics.Stopwatch]::StartNew()
& kill -INT $child.Id
while ((Get-FileHash $file).Hash -ne $hash -and $clock.Elapsed.TotalSeconds -lt 30) { Start-Sleep -Milliseconds 5 }
$revert = $clock.Elapsed.TotalMilliseconds
if (-not $child.WaitForExit(10000)) { $child.Kill() }
$rows.Add([pscustomobject]@{ Measure = 'revert after Ctrl+C (corruption, 1 MB file)'; Value = '{0:0} ms' -f $revert; Peer = 'goal < 1000 ms'; Result = if ((Get-FileHash $file).Hash -eq $hash) { 'file identical' } else { 'FILE NOT RESTORED' } })

# The resilience suite against its scratch daemon, as a user runs it.
$clock = [Diagnostics.Stopwatch]::StartNew()
$suite = Invoke-ChaosTest -Type Suite -Force -ErrorAction SilentlyContinue
$suiteSeconds = $clock.Elapsed.TotalSeconds
$rows.Add([pscustomobject]@{ Measure = 'resilience suite (6 experiments)'; Value = '{0:0.0} s' -f $suiteSeconds; Peer = 'goal < 60 s'; Result = "$($suite.Verdict), score $($suite.Score)" })
Add-BenchFigure -Bench chaos -Measure 'resilience suite, 6 experiments' -Figure ('{0:0.0} s, {1}, score {2}' -f $suiteSeconds, $suite.Verdict, $suite.Score) -Target '< 60 s, Passed' -Met ($suiteSeconds -lt 60 -and $suite.Verdict -eq 'Passed')

foreach ($row in $rows | Where-Object Measure -NotMatch '^(cpu|resilience)') {
    Add-BenchFigure -Bench chaos -Measure $row.Measure -Figure "$($row.Value) ($($row.Peer)); $($row.Result)"
}
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
