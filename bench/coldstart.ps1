#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Cold start: module import, the first 2000-task batch and the first 3-step Invoke-Workflow
    of a fresh pwsh session, each against the same work warmed in that same session.
.DESCRIPTION
    Every sample is a new pwsh process (a user's new session): it imports the module, times
    the first call, then times the same call warmed. The figures are medians over -Sessions
    processes, and the ratios are taken inside each process, so machine load cancels out.
.EXAMPLE
    dotnet pwsh ./bench/coldstart.ps1 -ModulePath ./out/WorkflowAutomation
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/WorkflowAutomation'),
    [int] $Sessions = 5,
    [int] $Tasks = 2000,
    # Another build of the module (say, without ReadyToRun images) measured in the same run, sessions interleaved.
    [string] $VersusModulePath = ''
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
$pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
$work = Join-Path ([IO.Path]::GetTempPath()) ("wa-bench-cold-" + [guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory $work | Out-Null
if (-not $IsWindows) { chmod 700 $work }

# What one fresh session runs; it prints one JSON line of milliseconds.
$session = @'
param($Module, $Tasks, $Work)
$ErrorActionPreference = 'Stop'
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $Work ([guid]::NewGuid().ToString('n'))
$import = (Measure-Command { Import-Module $Module }).TotalMilliseconds
$yaml = Join-Path $Work 'three.yaml'
$lines = @(1..$Tasks | ForEach-Object { '5:true' })
$batch = { $lines | Invoke-ParallelBatch -ThrottleLimit 2 | Out-Null }
$flow = { $run = Invoke-Workflow -Path $yaml -InformationAction Ignore -ProgressAction Ignore; if ($run.Status -ne 'Succeeded') { throw "three steps: $($run.Status)" } }
if ($args -contains 'batch-first') {
    $firstBatch = (Measure-Command $batch).TotalMilliseconds
    $firstFlow = (Measure-Command $flow).TotalMilliseconds
} else {
    $firstFlow = (Measure-Command $flow).TotalMilliseconds
    $firstBatch = (Measure-Command $batch).TotalMilliseconds
}
$warmBatch = (1..3 | ForEach-Object { (Measure-Command $batch).TotalMilliseconds } | Sort-Object)[1]
$warmFlow = (1..7 | ForEach-Object { (Measure-Command $flow).TotalMilliseconds } | Sort-Object)[3]
[pscustomobject]@{ Import = $import; FirstBatch = $firstBatch; WarmBatch = $warmBatch; FirstFlow = $firstFlow; WarmFlow = $warmFlow } | ConvertTo-Json -Compress
'@
Set-Content (Join-Path $work 'session.ps1') $session
Set-Content (Join-Path $work 'three.yaml') @'
name: three_steps
steps:
  - { name: prepare, shell: pwsh, command: '"version=1" >> $env:WORKFLOW_OUTPUT' }
  - { name: check, shell: sh, command: 'test -n "${{ steps.prepare.outputs.version }}"', depends_on: [prepare] }
  - { name: report, shell: pwsh, command: '"done ${{ steps.prepare.outputs.version }}"', depends_on: [check] }
'@
function Median([double[]] $Values) { ($Values | Sort-Object)[[int][math]::Floor($Values.Count / 2)] }

# Where the first workflow's time goes: the methods the JIT compiles for it (the runtime lists
# them with DOTNET_JitStdOutFile), by owner, weighed by IL size, against an import-only session.
function Get-JitLog([string] $Script, [string] $Log) {
    $env:DOTNET_JitStdOutFile = $Log; $env:DOTNET_JitDisasmSummary = '1'
    try { $null = & $pwsh -NoProfile -NonInteractive -Command $Script }
    finally { Remove-Item env:DOTNET_JitStdOutFile, env:DOTNET_JitDisasmSummary }
    $methods = @{}
    foreach ($line in [IO.File]::ReadLines($Log)) {
        if ($line -match 'JIT compiled (\S+?)\(.* IL size=(\d+)') { $methods[$Matches[1]] += @([int]$Matches[2]) }
    }
    $methods
}
function Get-CodeOwner([string] $Method) {
    switch -Regex ($Method) {
        '^(System\.Management\.Automation|Microsoft\.PowerShell)' { 'PowerShell'; break }
        '^WorkflowAutomation' { 'WorkflowAutomation'; break }
        '^(YamlDotNet|Microsoft\.Data\.Sqlite|SQLitePCL)' { 'YamlDotNet, Microsoft.Data.Sqlite'; break }
        '^System\.Text\.Json' { 'System.Text.Json'; break }
        '^(System|Internal|Interop|Microsoft)\.' { '.NET (generic code for these types, mostly)'; break }
        default { 'other (dynamic methods)' }
    }
}
function Test-ReadyToRun([string] $Assembly) {
    $stream = [IO.File]::OpenRead($Assembly)
    try { $header = [Reflection.PortableExecutable.PEReader]::new($stream).PEHeaders.CorHeader; $null -ne $header -and $header.ManagedNativeHeaderDirectory.Size -gt 0 }
    finally { $stream.Dispose() }
}
function Write-JitProfile {
    $module = Join-Path $ModulePath 'WorkflowAutomation.psd1'
    $setHome = "`$env:WORKFLOW_AUTOMATION_HOME = '$(Join-Path $work 'jit-home')'"
    $imported = Get-JitLog "$setHome; Import-Module '$module'" (Join-Path $work 'jit-import.txt')
    $flowed = Get-JitLog "$setHome; Import-Module '$module'; `$null = Invoke-Workflow -Path '$(Join-Path $work 'three.yaml')' -InformationAction Ignore -ProgressAction Ignore" (Join-Path $work 'jit-flow.txt')
    $byOwner = @{}
    foreach ($method in $flowed.Keys) {
        $sizes = $flowed[$method]
        $extra = $sizes.Count - @($imported[$method]).Where({ $null -ne $_ }).Count
        if ($extra -le 0) { continue }
        $owner = Get-CodeOwner $method
        if (-not $byOwner[$owner]) { $byOwner[$owner] = [pscustomobject]@{ Owner = $owner; Methods = 0; ILBytes = 0 } }
        $byOwner[$owner].Methods += $extra
        $byOwner[$owner].ILBytes += [long]($sizes | Select-Object -First $extra | Measure-Object -Sum).Sum
    }
    $total = ($byOwner.Values | Measure-Object ILBytes -Sum).Sum
    $table = $byOwner.Values | Sort-Object ILBytes -Descending | Select-Object Owner, Methods, ILBytes, @{ n = 'Share'; e = { '{0:P0}' -f ($_.ILBytes / $total) } }
    Write-Host "Compiled by the JIT for the first 3-step workflow (after import), by owner:"
    $table | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    $automation = Join-Path $PSHOME 'System.Management.Automation.dll'
    $powershellR2R = Test-ReadyToRun $automation
    Write-Host ("{0}: {1}" -f $automation, $(if ($powershellR2R) { 'ReadyToRun (precompiled)' } else { 'IL only: every PowerShell method the session runs is compiled by the JIT first' }))
    $powershell = $byOwner['PowerShell']
    Add-BenchFigure -Bench coldstart -Measure 'first 3-step Invoke-Workflow, JIT work by owner' -Figure (($table | ForEach-Object { '{0} {1} ({2:N0} methods)' -f $_.Owner, $_.Share, $_.Methods }) -join '; ') -Target '' -Met $null
    Add-BenchFigure -Bench coldstart -Measure "this PowerShell's own code (System.Management.Automation.dll)" -Figure $(if ($powershellR2R) { 'ReadyToRun' } else { 'IL only (no ReadyToRun code): its methods are compiled by the JIT in every new session' }) -Target '' -Met $null
}

try {
    # Half the sessions run the batch first, half the workflow first: each "first" pays the
    # shared start-up (engine load, SQLite) in half of the samples.
    $modules = @($ModulePath) + @(if ($VersusModulePath) { (Resolve-Path $VersusModulePath).Path })
    $all = foreach ($i in 1..$Sessions) {
        $order = if ($i % 2) { 'batch-first' } else { 'flow-first' }
        foreach ($module in $modules) {
            $json = & $pwsh -NoProfile -NonInteractive -File (Join-Path $work 'session.ps1') (Join-Path $module 'WorkflowAutomation.psd1') $Tasks $work $order
            if ($LASTEXITCODE -ne 0) { throw "A fresh session failed: $json" }
            $json | Select-Object -Last 1 | ConvertFrom-Json | Add-Member -PassThru Module $module
        }
    }
    $all | Format-Table Module, Import, FirstBatch, WarmBatch, FirstFlow, WarmFlow | Out-String -Width 250 | Write-Host
    if ($VersusModulePath) {
        $versus = @($all | Where-Object Module -EQ $modules[1])
        Write-Host ('{0}: import {1:N1} ms, first batch {2:N2}x warm, first workflow {3:N2}x warm (median of {4}, same run)' -f $modules[1], (Median $versus.Import),
            (Median ($versus | ForEach-Object { $_.WarmBatch / $_.FirstBatch })), (Median ($versus | ForEach-Object { $_.FirstFlow / $_.WarmFlow })), $versus.Count)
    }
    $results = @($all | Where-Object Module -EQ $modules[0])
    $import = Median ($results.Import)
    $batchRatio = Median ($results | ForEach-Object { $_.WarmBatch / $_.FirstBatch })
    $flowRatio = Median ($results | ForEach-Object { $_.FirstFlow / $_.WarmFlow })
    $rows = @(
        [pscustomobject]@{ Measure = 'Import-Module in a fresh session'; Figure = '{0:N1} ms' -f $import; Target = '< 50 ms'; Met = $import -lt 50 }
        [pscustomobject]@{ Measure = "first $Tasks-task batch, throughput / warmed"; Figure = '{0:N2}x ({1:N0} ms first, {2:N0} ms warm)' -f $batchRatio, (Median $results.FirstBatch), (Median $results.WarmBatch); Target = '>= 0.8x'; Met = $batchRatio -ge 0.8 }
        [pscustomobject]@{ Measure = 'first 3-step Invoke-Workflow, time / warmed'; Figure = '{0:N2}x ({1:N0} ms first, {2:N1} ms warm)' -f $flowRatio, (Median $results.FirstFlow), (Median $results.WarmFlow); Target = '< 3x'; Met = $flowRatio -lt 3 }
    )
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    foreach ($row in $rows) { Add-BenchFigure -Bench coldstart -Measure $row.Measure -Figure $row.Figure -Target $row.Target -Met $row.Met }
    Write-JitProfile
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
