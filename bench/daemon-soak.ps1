<#
.SYNOPSIS
    Kills the daemon with kill -9 at random moments, 100 times, while runs are submitted, then
    checks the three durability promises: no accepted run lost, interrupted steps resumed,
    finished steps never run again.
.EXAMPLE
    dotnet pwsh bench/daemon-soak.ps1 -ModulePath out/WorkflowAutomation -Kills 100
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Kills = 100,
    [int] $Seed = 20261127
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
if ($IsWindows) { throw 'The soak uses kill -9; run it on Linux or macOS.' }
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
$env:WORKFLOW_AUTOMATION_HOME = Join-Path ([IO.Path]::GetFullPath($ModulePath)) '../bench-soak'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
chmod 700 $env:WORKFLOW_AUTOMATION_HOME
# The soak restarts the daemon itself; a supervisor would race it.
$env:AUTO_RESTART_MAX_PER_HOUR = '0'
$log = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'attempts.log'
$workflow = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'durable.yaml'
$steps = foreach ($name in 'a', 'b', 'c') {
    $depends = if ($name -ne 'a') { "`n    depends_on: [$([char]([int][char]$name - 1))]" } else { '' }
    "  - name: $name`n    shell: sh$depends`n    command: sleep 0.2; echo `"`$WORKFLOW_RUN_ID $name `$WORKFLOW_ATTEMPT`" >> '$log'"
}
Set-Content $workflow ("name: durable`nsteps:`n" + ($steps -join "`n"))

$random = [Random]::new($Seed)
$accepted = [System.Collections.Generic.List[string]]::new()
$clock = [Diagnostics.Stopwatch]::StartNew()
Start-WorkflowDaemon -NoDashboard | Out-Null
try {
    for ($kill = 1; $kill -le $Kills; $kill++) {
        1..$random.Next(1, 3) | ForEach-Object { $accepted.Add((Submit-Workflow $workflow).Id) }
        Start-Sleep -Milliseconds $random.Next(0, 600)
        $daemon = (Get-WorkflowDaemon).ProcessId
        kill -9 $daemon
        Wait-Process -Id $daemon -ErrorAction Ignore
        Start-WorkflowDaemon -NoDashboard | Out-Null
        Write-Progress -Activity 'kill -9 soak' -Status "$kill of $Kills kills, $($accepted.Count) runs accepted" -PercentComplete (100 * $kill / $Kills)
    }
    Write-Progress -Activity 'kill -9 soak' -Completed
    $runs = @($accepted | Wait-WorkflowRun -Timeout 600)
}
finally {
    Stop-WorkflowDaemon -Force -ErrorAction Ignore
}

$executed = Get-Content $log | ForEach-Object { $id, $step, $attempt = $_ -split ' '; [pscustomobject]@{ Run = $id; Step = $step; Attempt = [int]$attempt } }
$lost = $accepted.Count - @($runs | Where-Object Status -EQ 'Succeeded').Count
$interrupted = 0
$rerunAfterFinish = 0
$failedAttempts = 0
foreach ($run in $runs) {
    foreach ($step in $run.Steps) {
        $last = $step.AttemptHistory[-1]
        $interrupted += @($step.AttemptHistory | Where-Object Status -EQ 'Interrupted').Count
        $failedAttempts += @($step.AttemptHistory | Where-Object Status -NotIn 'Interrupted', 'Succeeded').Count
        $rerunAfterFinish += @($executed | Where-Object { $_.Run -eq $run.Id -and $_.Step -eq $step.Name -and $_.Attempt -gt $last.Number }).Count
    }
}
[pscustomobject]@{
    Kills                       = $Kills
    'Runs accepted'             = $accepted.Count
    'Runs lost'                 = $lost
    'Attempts interrupted'      = $interrupted
    'Finished steps rerun'      = $rerunAfterFinish
    'Attempts failed otherwise' = $failedAttempts
    'Seconds'                   = [math]::Round($clock.Elapsed.TotalSeconds)
} | Format-List
Add-BenchFigure -Bench daemon-soak -Measure "runs lost over $Kills kill -9" -Figure "$lost of $($accepted.Count)" -Target '0' -Met ($lost -eq 0)
Add-BenchFigure -Bench daemon-soak -Measure 'finished steps rerun after a kill -9' -Figure "$rerunAfterFinish" -Target '0' -Met ($rerunAfterFinish -eq 0)
if ($lost -gt 0 -or $rerunAfterFinish -gt 0) { exit 1 }
