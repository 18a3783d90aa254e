<#
.SYNOPSIS
    Per-step orchestration overhead of Invoke-Workflow, in a warmed session: 200 no-op pwsh
    steps, 200 `sh -c true` steps beside 200 raw spawns of the same command, and a 3-step
    workflow end to end. Prints each figure, its target and the ratio.
.DESCRIPTION
    The 200 pwsh steps are measured two ways beside their peer (a no-op script invoked by hand
    in a reused runspace): the bench's way (a parsed definition, progress and information
    ignored) and the user's way (`$run = Invoke-Workflow -Path chain.yaml`, with the session's
    preferences). Each measure and its peer alternate within a round, so that load from
    elsewhere on the machine falls on both; the figures are medians over -Rounds.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Rounds = 5,
    # Warm-up runs of each workflow before measuring: the JIT tiers up over the first dozen
    # (with 8 it still compiled about 5,700 methods during the measured rounds, with 20 about 2,400).
    [int] $WarmUps = 20
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')

$env:WORKFLOW_AUTOMATION_HOME = Join-Path $ModulePath '../bench-state'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
$folder = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'workflows'
New-Item -ItemType Directory $folder | Out-Null

function New-ChainWorkflow([string] $Name, [int] $Count, [scriptblock] $Step) {
    $lines = @("name: $Name", 'execution_mode: sequential', 'steps:')
    for ($i = 1; $i -le $Count; $i++) { $lines += & $Step $i }
    $path = Join-Path $folder "$Name.yaml"
    Set-Content -Path $path -Value $lines
    Import-WorkflowDefinition -Path $path
}

function Invoke-Quiet([object] $Definition) {
    $run = Invoke-Workflow -Definition $Definition -InformationAction Ignore -ProgressAction Ignore
    if ($run.Status -ne 'Succeeded') { throw "$($Definition.Name) did not succeed: $($run.Error)" }
}

$pwshChain = New-ChainWorkflow 'pwsh_chain' 200 { param($i) "  - { name: s$i, shell: pwsh, command: '`$null = $i' }" }
$shChain = New-ChainWorkflow 'sh_chain' 200 { param($i) "  - { name: s$i, shell: sh, command: 'true' }" }
$three = New-ChainWorkflow 'three_steps' 3 {
    param($i)
    switch ($i) {
        1 { "  - { name: prepare, shell: pwsh, command: '""version=1"" >> `$env:WORKFLOW_OUTPUT' }" }
        2 { "  - { name: check, shell: sh, command: 'test -n ""`${{ steps.prepare.outputs.version }}""' }" }
        3 { "  - { name: report, shell: pwsh, command: '""done `${{ steps.prepare.outputs.version }}""' }" }
    }
}

# The user's way: the file is read and checked each time, with the session's own preferences.
$pwshChainPath = Join-Path $folder 'pwsh_chain.yaml'
$userWay = { $run = Invoke-Workflow -Path $pwshChainPath; if ($run.Status -ne 'Succeeded') { throw "pwsh_chain did not succeed: $($run.Error)" } }

# Warm the session: the runspace, the JIT, SQLite, the process launcher.
foreach ($i in 1..$WarmUps) { Invoke-Quiet $three; Invoke-Quiet $pwshChain; Invoke-Quiet $shChain; & $userWay }

$rawSpawn = {
    for ($i = 0; $i -lt 200; $i++) {
        $process = [System.Diagnostics.Process]::Start([System.Diagnostics.ProcessStartInfo]::new('sh', '-c true') -as [System.Diagnostics.ProcessStartInfo])
        $process.WaitForExit()
        $process.Dispose()
    }
}
& $rawSpawn

# The peer of a pwsh step: invoking a no-op script in a reused runspace, 200 times, by hand.
$peerRunspace = [runspacefactory]::CreateRunspace(); $peerRunspace.Open()
$rawRunspace = {
    for ($i = 0; $i -lt 200; $i++) {
        $shell = [powershell]::Create(); $shell.Runspace = $peerRunspace
        [void]$shell.AddScript('$null = 1').Invoke(); $shell.Dispose()
    }
}
& $rawRunspace

function Median([double[]] $Values) { ($Values | Sort-Object)[[int][math]::Floor($Values.Count / 2)] }
$jitBefore = [System.Runtime.JitInfo]::GetCompiledMethodCount($false)
$samples = @{ pwsh = @(); user = @(); runspace = @(); sh = @(); raw = @(); three = @(); ratio = @(); userRatio = @() }
foreach ($round in 1..$Rounds) {
    $pwsh = (Measure-Command { Invoke-Quiet $pwshChain }).TotalMilliseconds
    $peer = (Measure-Command $rawRunspace).TotalMilliseconds
    $user = (Measure-Command $userWay).TotalMilliseconds
    $peerAgain = (Measure-Command $rawRunspace).TotalMilliseconds
    $samples.pwsh += $pwsh; $samples.user += $user; $samples.runspace += $peer, $peerAgain
    # The ratio of each measure to the peer run next to it, then the median of those.
    $samples.ratio += $pwsh / $peer; $samples.userRatio += $user / $peerAgain
    $samples.sh += (Measure-Command { Invoke-Quiet $shChain }).TotalMilliseconds
    $samples.raw += (Measure-Command $rawSpawn).TotalMilliseconds
    $samples.three += (Measure-Command { Invoke-Quiet $three }).TotalMilliseconds
}
$jitDuring = [System.Runtime.JitInfo]::GetCompiledMethodCount($false) - $jitBefore
$pwshMs = Median $samples.pwsh
$userMs = Median $samples.user
$runspaceMs = Median $samples.runspace
$shMs = Median $samples.sh
$rawMs = Median $samples.raw
$threeMs = Median $samples.three
$pwshRatio = Median $samples.ratio
$userRatio = Median $samples.userRatio

$pwshPerStep = $pwshMs / 200
$shPerStep = $shMs / 200
$rawPerSpawn = $rawMs / 200
$shOverhead = $shPerStep - $rawPerSpawn
$results = @(
    [pscustomobject]@{ Measure = '200 no-op pwsh steps, per step'; Value = '{0:0.00} ms' -f $pwshPerStep; Target = '< 2 ms'; 'Ratio to target' = '{0:0.00}' -f ($pwshPerStep / 2) }
    [pscustomobject]@{ Measure = 'no-op script in a reused runspace, by hand (peer)'; Value = '{0:0.00} ms' -f ($runspaceMs / 200); Target = ''; 'Ratio to target' = '' }
    [pscustomobject]@{ Measure = 'pwsh step / hand-made runspace call'; Value = '{0:0.00}x' -f $pwshRatio; Target = '<= 1.5x'; 'Ratio to target' = '{0:0.00}' -f ($pwshRatio / 1.5) }
    [pscustomobject]@{ Measure = '200 pwsh steps the user''s way (Invoke-Workflow -Path), per step'; Value = '{0:0.00} ms' -f ($userMs / 200); Target = ''; 'Ratio to target' = '' }
    [pscustomobject]@{ Measure = 'pwsh step the user''s way / hand-made runspace call'; Value = '{0:0.00}x' -f $userRatio; Target = '<= 1.5x'; 'Ratio to target' = '{0:0.00}' -f ($userRatio / 1.5) }
    [pscustomobject]@{ Measure = '200 sh -c true steps, per step'; Value = '{0:0.00} ms' -f $shPerStep; Target = ''; 'Ratio to target' = '' }
    [pscustomobject]@{ Measure = '200 raw spawns of sh -c true, per spawn (peer)'; Value = '{0:0.00} ms' -f $rawPerSpawn; Target = ''; 'Ratio to target' = '' }
    [pscustomobject]@{ Measure = 'sh step overhead above the raw spawn'; Value = '{0:0.00} ms' -f $shOverhead; Target = '< 1 ms'; 'Ratio to target' = '{0:0.00}' -f ($shOverhead / 1) }
    [pscustomobject]@{ Measure = "3-step workflow end to end (pwsh, sh, pwsh), median of $Rounds"; Value = '{0:0.0} ms' -f $threeMs; Target = '< 50 ms'; 'Ratio to target' = '{0:0.00}' -f ($threeMs / 50) }
)
Write-Host "`n== Workflow orchestration overhead ($([Environment]::ProcessorCount) cores, warmed session; each run also records every step in SQLite)"
$results | Format-Table -AutoSize | Out-Host
foreach ($row in $results) {
    $met = if ($row.Target) { [double]$row.'Ratio to target' -le 1 } else { $null }
    Add-BenchFigure -Bench workflow-overhead -Measure $row.Measure -Figure $row.Value -Target $row.Target -Met $met
}
Write-Host ('sh step / raw spawn: {0:0.00}x' -f ($shPerStep / $rawPerSpawn))
Write-Host "Methods compiled by the JIT during the measured rounds: $jitDuring (a warmed session compiles few)."
$load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' }
Write-Host "Load average during the run: $load on $([Environment]::ProcessorCount) cores (figures scale with it; compare ratios)."
