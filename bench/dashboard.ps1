<#
.SYNOPSIS
    The dashboard's figures with 10,000 runs recorded, beside what a user would use instead:
    /api/runs first page p99 and a run page's API p99 (peer: Get-WorkflowRun in a session),
    first contentful paint of the Overview in headless Chromium, event-stream change-to-DOM
    p50/p99 (peer: the 5 s polling of the seed's dashboard), daemon CPU with one page open
    and idle, and the memory the dashboard adds (peer: the same daemon with -NoDashboard).
.EXAMPLE
    dotnet pwsh bench/dashboard.ps1 -ModulePath out/WorkflowAutomation
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 10000,
    [int] $Requests = 300,
    [int] $IdleSeconds = 30,
    # Idle means steady state: the runtime's tiered compilation of what just ran (start-up, the
    # requests above) goes on in the background for a while and is not the daemon idling.
    [int] $SettleSeconds = 30
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$repo = (Resolve-Path "$PSScriptRoot/..").Path
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
$env:WORKFLOW_AUTOMATION_HOME = Join-Path ([IO.Path]::GetFullPath($ModulePath)) '../bench-dashboard'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
if (-not $IsWindows) { chmod 700 $env:WORKFLOW_AUTOMATION_HOME }
$env:AUTO_RESTART_MAX_PER_HOUR = '0'
$state = $env:WORKFLOW_AUTOMATION_HOME

function Percentile([double[]] $Values, [double] $P) {
    $sorted = $Values | Sort-Object
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($P * $sorted.Count))]
}
function Report([string] $Figure, [double] $Ours, [string] $Unit, [string] $Target, [string] $PeerName, [double] $Peer) {
    [pscustomobject]@{
        Figure = $Figure
        Ours   = '{0:N1} {1}' -f $Ours, $Unit
        Target = $Target
        Peer   = if ($PeerName) { '{0}: {1:N1} {2}' -f $PeerName, $Peer, $Unit } else { '' }
        Ratio  = if ($Peer -gt 0) { '{0:N2}x' -f ($Ours / $Peer) } else { '' }
    }
}
function Get-FreePort {
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop(); $port
}
function Get-Rss([int] $ProcessId) {
    [double]((Get-Content "/proc/$ProcessId/status" | Where-Object { $_ -like 'VmRSS:*' }) -replace '\D', '') / 1024
}
function Get-CpuSeconds([int] $ProcessId) {
    $fields = (Get-Content "/proc/$ProcessId/stat" -Raw) -replace '^.*\) ', '' -split ' '
    ([double]$fields[11] + [double]$fields[12]) / 100   # utime + stime in clock ticks (USER_HZ 100)
}
function Measure-Get([string] $Url, [hashtable] $Headers, [int] $Count) {
    $client = [System.Net.Http.HttpClient]::new()
    foreach ($key in $Headers.Keys) { $client.DefaultRequestHeaders.Add($key, $Headers[$key]) }
    1..10 | ForEach-Object { $null = $client.GetStringAsync($Url).GetAwaiter().GetResult() }
    $times = foreach ($i in 1..$Count) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = $client.GetStringAsync($Url).GetAwaiter().GetResult()
        $watch.Elapsed.TotalMilliseconds
    }
    $client.Dispose()
    , [double[]]$times
}

# 10,000 runs of a three-step workflow, recorded through the run store as the executor records them.
$definitionPath = Join-Path $state 'recorded.yaml'
Set-Content $definitionPath "name: recorded`nexecution_mode: parallel`nsteps:`n  - { name: build, shell: sh, command: 'true' }`n  - { name: test, shell: sh, command: 'true', depends_on: [build] }`n  - { name: deploy, shell: sh, command: 'true', depends_on: [test] }`n"
$definition = Import-WorkflowDefinition -Path $definitionPath
# The engine lives in the module's own load context: its types are reached through the assembly.
$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'WorkflowAutomation.Engine' } | Select-Object -First 1
$runStore = $engine.GetType('WorkflowAutomation.State.SqliteRunStore')
$store = $runStore::Open([Activator]::CreateInstance($engine.GetType('WorkflowAutomation.Platform.StateDirectory'), @($state)))
$owner = $engine.GetType('WorkflowAutomation.State.RunOwner')::Current
$start = [DateTimeOffset]::UtcNow.AddDays(-7)
$seeded = [Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt $Runs; $i++) {
    $id = 'seed-{0:D6}' -f $i
    $at = $start.AddSeconds($i * 60)
    $run = [WorkflowAutomation.Workflows.WorkflowRun]@{ Id = $id; Name = ($i % 7 -eq 0 ? 'nightly' : 'recorded'); Status = ($i % 13 -eq 0 ? 'Failed' : 'Succeeded'); StartTime = $at; EndTime = $at.AddSeconds(3); Origin = 'daemon' }
    $store.CreateRun($run, $definition, $owner)
    foreach ($name in 'build', 'test', 'deploy') {
        $store.SaveStep([WorkflowAutomation.Workflows.WorkflowStepRun]@{ RunId = $id; Name = $name; Status = 'Succeeded'; Attempts = 1; StartTime = $at; EndTime = $at.AddSeconds(1) })
    }
    $store.AppendLog([WorkflowAutomation.Workflows.WorkflowRunLogLine]@{ RunId = $id; Step = 'build'; Timestamp = $at; Text = "built $i" })
}
$store.Flush(); $store.Dispose()
Write-Host ("Recorded {0:N0} runs in {1:N1} s" -f $Runs, $seeded.Elapsed.TotalSeconds)

# Peer for memory and CPU: the same daemon without its dashboard, idle as long.
$peerPid = (Start-WorkflowDaemon -NoDashboard).ProcessId
Start-Sleep -Seconds $SettleSeconds
$peerCpuBefore = Get-CpuSeconds $peerPid
$peerWatch = [Diagnostics.Stopwatch]::StartNew()
Start-Sleep -Seconds $IdleSeconds
$cpuPeer = 100 * ((Get-CpuSeconds $peerPid) - $peerCpuBefore) / $peerWatch.Elapsed.TotalSeconds
$withoutDashboard = Get-Rss $peerPid
Stop-WorkflowDaemon | Out-Null

$port = Get-FreePort
$status = Start-WorkflowDaemon -DashboardPort $port
$daemonPid = $status.ProcessId
$token = (Get-Content (Join-Path $state 'daemon/token') -Raw).Trim()
$base = "http://127.0.0.1:$port"
$auth = @{ Authorization = "Bearer $token" }

$runsPage = Measure-Get "$base/api/runs?limit=50" $auth $Requests
$runPage = Measure-Get "$base/api/runs/seed-005000" $auth $Requests
$logPage = Measure-Get "$base/api/runs/seed-005000/log?after=0" $auth $Requests
$peerList = foreach ($i in 1..50) { (Measure-Command { Get-WorkflowRun -First 50 | Out-Null }).TotalMilliseconds }
$peerRun = foreach ($i in 1..50) { (Measure-Command { Get-WorkflowRun -Id seed-005000 | Out-Null }).TotalMilliseconds }

# Browser figures: a run of 20 steps, each released by a signal file.
$signals = New-Item -ItemType Directory (Join-Path $state 'signals')
$steps = 1..20 | ForEach-Object { "  - { name: s$_, shell: sh, command: 'while [ ! -f $($signals.FullName)/s$_ ]; do sleep 0.02; done'$(if ($_ -gt 1) { ", depends_on: [s$($_ - 1)]" }) }" }
$liveWorkflow = Join-Path $state 'live.yaml'
Set-Content $liveWorkflow ("name: live`nexecution_mode: parallel`nsteps:`n" + ($steps -join "`n") + "`n")
$liveRun = Submit-Workflow -Path $liveWorkflow
$idleReady = Join-Path $state 'idle-ready'
$config = Join-Path $state 'bench.json'
$results = Join-Path $state 'bench-results.json'
@{ base = $base; token = $token; run = $liveRun.Id; steps = 20; signals = $signals.FullName; fcpSamples = 15; idleSeconds = $SettleSeconds + $IdleSeconds + 5; idleReady = $idleReady; results = $results } |
    ConvertTo-Json | Set-Content $config
$browser = Start-Process node -ArgumentList @((Join-Path $repo 'tests/Browser/dashboard.bench.mjs'), $config) -PassThru -NoNewWindow
while (-not (Test-Path $idleReady) -and -not $browser.HasExited) { Start-Sleep -Milliseconds 200 }
Start-Sleep -Seconds $SettleSeconds
$cpuBefore = Get-CpuSeconds $daemonPid
$idleWatch = [Diagnostics.Stopwatch]::StartNew()
Start-Sleep -Seconds $IdleSeconds
$cpuIdle = 100 * ((Get-CpuSeconds $daemonPid) - $cpuBefore) / $idleWatch.Elapsed.TotalSeconds
$withDashboard = Get-Rss $daemonPid
$browser.WaitForExit()
$browserFigures = Get-Content $results -Raw | ConvertFrom-Json
Stop-WorkflowDaemon | Out-Null

[double[]]$fcp = $browserFigures.fcp
[double[]]$changes = $browserFigures.changeToDom
@(
    Report '/api/runs first page p99 (10,000 runs)' (Percentile $runsPage 0.99) 'ms' '< 20 ms' 'Get-WorkflowRun -First 50 p99' (Percentile $peerList 0.99)
    Report '/api/runs first page p50' (Percentile $runsPage 0.50) 'ms' '' 'Get-WorkflowRun -First 50 p50' (Percentile $peerList 0.50)
    Report 'run page API p99 (/api/runs/<id>)' (Percentile $runPage 0.99) 'ms' '< 20 ms' 'Get-WorkflowRun -Id p99' (Percentile $peerRun 0.99)
    Report 'run page API p50' (Percentile $runPage 0.50) 'ms' '' 'Get-WorkflowRun -Id p50' (Percentile $peerRun 0.50)
    Report 'run log API p99' (Percentile $logPage 0.99) 'ms' '' '' 0
    Report 'Overview first contentful paint (median of 15)' (Percentile $fcp 0.50) 'ms' '< 300 ms' '' 0
    Report 'Overview first contentful paint p99' (Percentile $fcp 0.99) 'ms' '' '' 0
    Report 'change-to-DOM p50 (event stream)' (Percentile $changes 0.50) 'ms' '' 'seed polling every 5 s, mean' 2500
    Report 'change-to-DOM p99 (event stream)' (Percentile $changes 0.99) 'ms' '< 500 ms' 'seed polling every 5 s, worst' 5000
    Report 'daemon CPU, one page open, idle' $cpuIdle '% of a core' '< 1 %' 'daemon -NoDashboard, idle' $cpuPeer
    Report 'CPU the open page adds' ($cpuIdle - $cpuPeer) '% of a core' '' '' 0
    Report 'memory the dashboard adds (RSS)' ($withDashboard - $withoutDashboard) 'MiB' '< 30 MiB' 'daemon -NoDashboard RSS' $withoutDashboard
) | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
