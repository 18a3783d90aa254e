<#
.SYNOPSIS
    The daemon's figures beside their peers, in one run: start-to-healthy (peer: a bare pwsh
    start), submit-to-start latency p50/p99 (peer: Start-ThreadJob pickup), one client
    submitting flat out (the engine's client over one connection, Submit-Workflow in a loop,
    and Get-ChildItem | Submit-Workflow; context: ping round trips), sustained submits for a
    while with nothing lost, and idle memory (peer: an idle pwsh).
.EXAMPLE
    dotnet pwsh bench/daemon.ps1 -ModulePath out/WorkflowAutomation -DurationSeconds 60
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # How long the sustained-submit phase lasts.
    [int] $DurationSeconds = 60,
    # Submits per second in that phase.
    [int] $Rate = 100,
    # Sequential submits measured for the latency figures: with 1,000, the p99 is the tenth
    # slowest, not the second slowest as with 200 (one scheduling hiccup of a busy machine).
    [int] $LatencySamples = 1000,
    # Submits before those, not in the percentiles (the first one is reported on its own): a
    # fresh daemon still compiles its code during its first runs (see the first-run figure).
    [int] $LatencyWarmUp = 100,
    # Submits per flat-out round (Submit-Workflow in a loop does half as many); each figure is the median of -FlatOutRounds.
    [int] $FlatOutSubmits = 2000,
    [int] $FlatOutRounds = 3
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
$env:WORKFLOW_AUTOMATION_HOME = Join-Path ([IO.Path]::GetFullPath($ModulePath)) '../bench-daemon'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
if (-not $IsWindows) { chmod 700 $env:WORKFLOW_AUTOMATION_HOME }
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$workflow = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'tiny.yaml'
Set-Content $workflow "name: tiny`nsteps:`n  - name: one`n    shell: sh`n    command: 'true'`n"

function Percentile([double[]] $Values, [double] $P) {
    $sorted = $Values | Sort-Object
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($P * $sorted.Count))]
}
function Report([string] $Figure, [double] $Ours, [string] $Unit, [string] $Target, [string] $PeerName, [double] $Peer, [object] $Met = $null) {
    Add-BenchFigure -Bench daemon -Measure $Figure -Figure ('{0:N1} {1} ({2} {3:N1} {1}{4})' -f $Ours, $Unit, $PeerName, $Peer, $(if ($Peer -gt 0) { ', {0:N2}x' -f ($Ours / $Peer) })) -Target $Target -Met $Met
    [pscustomobject]@{
        Figure = $Figure
        Ours   = '{0:N1} {1}' -f $Ours, $Unit
        Target = $Target
        Peer   = '{0}: {1:N1} {2}' -f $PeerName, $Peer, $Unit
        Ratio  = if ($Peer -gt 0) { '{0:N2}x' -f ($Ours / $Peer) } else { '' }
    }
}
$results = [System.Collections.Generic.List[object]]::new()

try {
    # 1. Start-WorkflowDaemon to Running and Healthy (detached: a new pwsh process), median of 3.
    $starts = foreach ($i in 1..3) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $status = Start-WorkflowDaemon -NoDashboard
        $elapsed = $clock.Elapsed.TotalMilliseconds
        if ($status.Health -ne 'Healthy') { throw "The daemon started $($status.Health): $($status.HealthReasons)" }
        if ($i -lt 3) { Stop-WorkflowDaemon -Force }
        $elapsed
    }
    $bare = foreach ($i in 1..3) { (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command exit }).TotalMilliseconds }
    $results.Add((Report 'Start to healthy (median of 3)' (Percentile $starts 0.5) 'ms' '<= 1.5x bare pwsh' 'bare pwsh start' (Percentile $bare 0.5) ((Percentile $starts 0.5) -le 1.5 * (Percentile $bare 0.5))))

    # 2. Submit-to-start: client clock before Submit-Workflow to the run's recorded start. The
    #    first runs of a fresh daemon compile its code: the first one is reported on its own,
    #    the percentiles are taken once -LatencyWarmUp runs have gone through.
    $samples = foreach ($i in 1..($LatencyWarmUp + $LatencySamples)) {
        $before = [DateTimeOffset]::UtcNow
        $run = Submit-Workflow $workflow
        [pscustomobject]@{ Id = $run.Id; Before = $before }
        Start-Sleep -Milliseconds 20
    }
    $allLatencies = foreach ($sample in $samples) {
        $run = Wait-WorkflowRun -Id $sample.Id -Timeout 60
        ($run.StartTime - $sample.Before).TotalMilliseconds
    }
    $latencies = $allLatencies | Select-Object -Skip $LatencyWarmUp
    $threadJob = foreach ($i in 1..50) {
        $before = [DateTimeOffset]::UtcNow
        $job = Start-ThreadJob { [DateTimeOffset]::UtcNow }
        $started = Receive-Job $job -Wait -AutoRemoveJob
        ($started - $before).TotalMilliseconds
    }
    $results.Add((Report 'Submit to start p50' (Percentile $latencies 0.5) 'ms' '< 20 ms' 'Start-ThreadJob pickup p50' (Percentile $threadJob 0.5) ((Percentile $latencies 0.5) -lt 20)))
    $results.Add((Report 'Submit to start p99' (Percentile $latencies 0.99) 'ms' '< 5 ms' 'Start-ThreadJob pickup p99' (Percentile $threadJob 0.99) ((Percentile $latencies 0.99) -lt 5)))
    $results.Add((Report 'Submit to start, first run of a fresh daemon' $allLatencies[0] 'ms' '' 'Start-ThreadJob pickup, first' $threadJob[0]))

    # 3. One client submitting flat out. A submit is answered only once its queue row and run
    #    record are committed; each round's runs are drained (all must succeed) before the next.
    $engine = ([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'WorkflowAutomation').LoadFromAssemblyName([System.Reflection.AssemblyName]::new('WorkflowAutomation.Engine'))
    $stateType = $engine.GetType('WorkflowAutomation.Platform.StateDirectory')
    $state = [Activator]::CreateInstance($stateType, @($env:WORKFLOW_AUTOMATION_HOME))
    $facade = [Activator]::CreateInstance($engine.GetType('WorkflowAutomation.Facades.WorkflowDaemon'), @($state, $engine.GetType('WorkflowAutomation.Configuration.WorkflowConfiguration').GetMethod('Load').Invoke($null, @($state, $null))))
    $noParameters = [System.Collections.Generic.Dictionary[string, string]]::new()
    $batch = New-Item -ItemType Directory (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'flat-out')
    foreach ($index in 1..$FlatOutSubmits) { Copy-Item $workflow (Join-Path $batch ('w{0:d5}.yaml' -f $index)) }
    $flatOut = [ordered]@{
        'engine client, one connection' = {
            $submissions = $facade.OpenSubmissions([Threading.CancellationToken]::None)
            try {
                foreach ($index in 1..$FlatOutSubmits) { foreach ($outcome in $submissions.Submit($workflow, $noParameters, $null)) { $outcome.Run.Id } }
                foreach ($outcome in $submissions.Complete()) { $outcome.Run.Id }
            }
            finally { $submissions.Dispose() }
        }
        'Submit-Workflow in a loop' = { foreach ($index in 1..($FlatOutSubmits / 2)) { (Submit-Workflow $workflow).Id } }
        'Get-ChildItem *.yaml | Submit-Workflow' = { (Get-ChildItem $batch -Filter *.yaml | Submit-Workflow).Id }
    }
    # The daemon's CPU time (its own and its steps' processes), from /proc: what each run costs
    # the cores that the submitting client shares with it.
    $daemonPid = (Get-WorkflowDaemon).ProcessId
    function Get-DaemonCpuMs {
        if (-not (Test-Path "/proc/$daemonPid/stat")) { return 0 }
        $fields = ((Get-Content "/proc/$daemonPid/stat" -Raw) -replace '^.*\) ', '') -split ' '
        ([long]$fields[11] + [long]$fields[12] + [long]$fields[13] + [long]$fields[14]) * 1000 / 100
    }
    $rates = @{}
    $cpuPerRun = @()
    foreach ($round in 1..$FlatOutRounds) {
        foreach ($way in $flatOut.Keys) {
            $cpuBefore = Get-DaemonCpuMs
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ids = @(& $flatOut[$way])
            $seconds = $clock.Elapsed.TotalSeconds
            $ended = @($ids | Wait-WorkflowRun -Timeout 600)
            $lost = $ids.Count - @($ended | Where-Object Status -EQ 'Succeeded').Count
            if ($lost -gt 0 -or @($ids | Select-Object -Unique).Count -ne $ids.Count) { throw "$way lost $lost of $($ids.Count) runs or repeated an id" }
            $rates[$way] += @($ids.Count / $seconds)
            $cpuPerRun += @(((Get-DaemonCpuMs) - $cpuBefore) / $ids.Count)
        }
    }
    $pings = foreach ($round in 1..$FlatOutRounds) {
        $client = $engine.GetType('WorkflowAutomation.Daemon.Ipc.DaemonClient')::Connect($state, $null)
        try {
            $send = $client.GetType().GetMethod('Send').MakeGenericMethod([string])
            $clock = [Diagnostics.Stopwatch]::StartNew()
            foreach ($index in 1..$FlatOutSubmits) { $null = $send.Invoke($client, @('ping', $null, [Threading.CancellationToken]::None)) }
            $FlatOutSubmits / $clock.Elapsed.TotalSeconds
        }
        finally { $client.Dispose() }
    }
    # What a loop of any cmdlet that takes a path costs in PowerShell itself: the same file through Get-Item.
    $getItem = foreach ($round in 1..$FlatOutRounds) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        foreach ($index in 1..($FlatOutSubmits / 2)) { $null = (Get-Item $workflow).Name }
        ($FlatOutSubmits / 2) / $clock.Elapsed.TotalSeconds
    }
    foreach ($way in $flatOut.Keys) {
        $results.Add((Report "Flat-out submits: $way (median of $FlatOutRounds)" (Percentile $rates[$way] 0.5) '/s' '>= 1,000/s' 'ping round trips' (Percentile $pings 0.5) ((Percentile $rates[$way] 0.5) -ge 1000)))
    }
    $results.Add((Report "Daemon CPU per run of tiny.yaml (its own and its sh step's, median)" (Percentile $cpuPerRun 0.5) 'ms' '' "all cores' CPU per run at 1,000 runs/s" ([Environment]::ProcessorCount * 1.0)))
    $results.Add((Report "Get-Item in a loop, the same file (PowerShell's own cost of a cmdlet call that takes a path)" (Percentile $getItem 0.5) '/s' '' 'Submit-Workflow in a loop' (Percentile $rates['Submit-Workflow in a loop'] 0.5)))

    # Context: the submit path alone. A second daemon runs one run at a time and its first run
    # waits, so these submits are committed and answered but not executed meanwhile.
    $mainHome = $env:WORKFLOW_AUTOMATION_HOME
    $env:WORKFLOW_AUTOMATION_HOME = Join-Path $mainHome 'held'
    New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
    if (-not $IsWindows) { chmod 700 $env:WORKFLOW_AUTOMATION_HOME }
    $env:MAX_PARALLEL_WORKFLOWS = '1'
    try {
        Start-WorkflowDaemon -NoDashboard | Out-Null
        $blocker = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'blocker.yaml'
        Set-Content $blocker "name: blocker`nsteps:`n  - name: wait`n    shell: sh`n    command: sleep 600`n"
        Submit-Workflow $blocker | Out-Null
        $heldState = [Activator]::CreateInstance($stateType, @($env:WORKFLOW_AUTOMATION_HOME))
        $heldFacade = [Activator]::CreateInstance($engine.GetType('WorkflowAutomation.Facades.WorkflowDaemon'), @($heldState, $engine.GetType('WorkflowAutomation.Configuration.WorkflowConfiguration').GetMethod('Load').Invoke($null, @($heldState, $null))))
        $alone = foreach ($round in 1..$FlatOutRounds) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $submissions = $heldFacade.OpenSubmissions([Threading.CancellationToken]::None)
            try {
                $accepted = 0
                foreach ($index in 1..$FlatOutSubmits) { $accepted += @($submissions.Submit($workflow, $noParameters, $null) | Where-Object Run).Count }
                $accepted += @($submissions.Complete() | Where-Object Run).Count
            }
            finally { $submissions.Dispose() }
            if ($accepted -ne $FlatOutSubmits) { throw "The held daemon accepted $accepted of $FlatOutSubmits submits" }
            $FlatOutSubmits / $clock.Elapsed.TotalSeconds
        }
        $aloneLoop = foreach ($round in 1..$FlatOutRounds) {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            foreach ($index in 1..($FlatOutSubmits / 2)) { $null = Submit-Workflow $workflow }
            ($FlatOutSubmits / 2) / $clock.Elapsed.TotalSeconds
        }
        $results.Add((Report "Submit path alone: engine client, runs held in the queue (median of $FlatOutRounds)" (Percentile $alone 0.5) '/s' '' 'ping round trips' (Percentile $pings 0.5)))
        $results.Add((Report "Submit path alone: Submit-Workflow in a loop, runs held (median of $FlatOutRounds)" (Percentile $aloneLoop 0.5) '/s' '' 'ping round trips' (Percentile $pings 0.5)))
    }
    finally {
        Stop-WorkflowDaemon -Force -ErrorAction Ignore
        Remove-Item env:MAX_PARALLEL_WORKFLOWS
        $env:WORKFLOW_AUTOMATION_HOME = $mainHome
    }

    # 4. Sustained submits at $Rate per second; every accepted run must end Succeeded.
    $accepted = [System.Collections.Generic.List[string]]::new()
    $refused = 0
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $total = $Rate * $DurationSeconds
    for ($n = 0; $n -lt $total; $n++) {
        $due = $n * 1000.0 / $Rate
        $wait = $due - $clock.Elapsed.TotalMilliseconds
        if ($wait -gt 1) { Start-Sleep -Milliseconds ([int]$wait) }
        try { $accepted.Add((Submit-Workflow $workflow -ErrorAction Stop).Id) } catch { $refused++ }
        if ($n % $Rate -eq 0) { Write-Progress -Activity 'Sustained submits' -Status "$n of $total" -PercentComplete (100 * $n / $total) }
    }
    $submitSeconds = $clock.Elapsed.TotalSeconds
    Write-Progress -Activity 'Sustained submits' -Completed
    $ended = $accepted | Wait-WorkflowRun -Timeout 600
    $drainSeconds = $clock.Elapsed.TotalSeconds
    $succeeded = @($ended | Where-Object Status -EQ 'Succeeded').Count
    $lost = $accepted.Count - $succeeded
    $summary = '{0} accepted in {1:N1} s ({2:N0}/s), {3} refused, {4} lost; all ended after {5:N1} s' -f @(
        $accepted.Count, $submitSeconds, ($accepted.Count / $submitSeconds), $refused, $lost, $drainSeconds)
    Add-BenchFigure -Bench daemon -Measure "$Rate submits/s for $DurationSeconds s" -Figure $summary -Target '0 lost' -Met ($lost -eq 0)
    $results.Add([pscustomobject]@{
        Figure = "$Rate submits/s for $DurationSeconds s"
        Ours   = $summary
        Target = '0 lost'
        Peer   = ''
        Ratio  = ''
    })

    # 5. Idle memory of the daemon process, after the work, settled.
    Start-Sleep -Seconds 5
    $daemon = Get-Process -Id (Get-WorkflowDaemon).ProcessId
    $idle = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', 'Start-Sleep 8' -PassThru
    Start-Sleep -Seconds 5
    $idle.Refresh()
    $results.Add((Report 'Idle memory (working set)' ($daemon.WorkingSet64 / 1MB) 'MiB' '<= 1.3x idle pwsh' 'idle pwsh' ($idle.WorkingSet64 / 1MB) ($daemon.WorkingSet64 -le 1.3 * $idle.WorkingSet64)))
    $idle.WaitForExit()
}
finally {
    Stop-WorkflowDaemon -Force -ErrorAction Ignore
}
$results | Format-Table -AutoSize -Wrap | Out-String -Width 250
