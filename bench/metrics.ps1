#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Metric store benchmark: 1,000,000 samples through the store API and through
    Write-WorkflowMetric against a raw prepared insert in one transaction (the storage limit),
    1-hour raw queries (the newest hour, its last minute still in the head, and an older, compacted hour), a
    30-day query at 5m, and bytes per raw sample on disk. The store's clock is set one tick after
    the data, and after ingest the store compacts what its policy compacts (everything older than
    its 1-hour head window) through Writer.CompactAsync, as the writer does on its own timer.
.EXAMPLE
    dotnet pwsh ./bench/metrics.ps1 -ModulePath ./out/WorkflowAutomation
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/WorkflowAutomation'),
    # 100 series x 10,000 s = 1,000,000 samples, as in the peer measurement.
    [int] $SeriesCount = 100,
    [int] $Ticks = 10000,
    [int] $CmdletSamples = 1000000,
    [int] $QueryRuns = 101,
    [int] $Rounds = 2
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
Add-Type -Path (Join-Path $PSScriptRoot 'MetricsBench.cs') -IgnoreWarnings -ReferencedAssemblies @(
    (Join-Path $ModulePath 'Dependencies/WorkflowAutomation.Engine.dll'), (Join-Path $ModulePath 'WorkflowAutomation.Contracts.dll'), 'System.Data.Common', 'System.ComponentModel.Primitives', 'System.Collections', 'System.Linq', 'System.Runtime') 3>$null -WarningAction SilentlyContinue

$work = Join-Path ([IO.Path]::GetTempPath()) ("wa-bench-metrics-" + [guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory $work | Out-Null
if (-not $IsWindows) { chmod 700 $work }
$samples = $SeriesCount * $Ticks
$nowMs = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
$startMs = $nowMs - $nowMs % 3600000 - [long]$Ticks * 1000   # an hour boundary, 10,000 s back
$dataEndMs = $startMs + ($Ticks - 1) * 1000L
$storeClock = [DateTimeOffset]::FromUnixTimeMilliseconds($dataEndMs + 1000)   # the next tick is "now"

# The benchmark drives the engine directly: its types live in the module's own load context,
# so type literals name them through accelerators added here (the module itself adds none).
$engineAssembly = ([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'WorkflowAutomation').LoadFromAssemblyName([System.Reflection.AssemblyName]::new('WorkflowAutomation.Engine'))
foreach ($type in $engineAssembly.GetExportedTypes() | Where-Object { -not $_.IsNested }) { [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')::Add($type.FullName, $type) }

function New-SqliteConnection([string] $Path) {
    # Microsoft.Data.Sqlite as the module loaded it (its own load context finds native SQLite).
    $engine = [WorkflowAutomation.Metrics.MetricStore].Assembly
    $context = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine)
    $sqlite = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
    $connection = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'), @("Data Source=$Path"))
    $connection.Open()
    $connection
}

function Get-DbBytes([string] $Path, [string] $Table) {
    $connection = New-SqliteConnection $Path
    try {
        [void][MetricsBench]::Scalar($connection, 'PRAGMA wal_checkpoint(TRUNCATE)')
    }
    finally { $connection.Dispose() }
    [pscustomobject]@{ File = (Get-Item $Path).Length }
}

try {
    Write-Host "Metric store benchmark: $samples samples ($SeriesCount series x $Ticks s at 1 s), SQLite WAL, synchronous=NORMAL"
    Write-Host "The store's clock is one tick after the data; after ingest Writer.CompactAsync() compacts all but the head window (the newest minute by default)."

    # 1. Ingest, alternating the storage limit (one prepared INSERT, one transaction, WITHOUT
    #    ROWID: the peer layout) and the store API (one writer thread, batches, rollups), best of
    #    $Rounds each so that both sides see the same load on a shared machine.
    $store = [WorkflowAutomation.Metrics.MetricStore]::Open((Join-Path $work 'warmup.db'))
    [void]$store.Writer.Record('warm.up', 1); $store.Writer.Flush(); $store.Dispose()
    $rawRate = 0; $apiRate = 0
    for ($round = 1; $round -le $Rounds; $round++) {
        $rawPath = Join-Path $work "raw$round.db"
        $raw = New-SqliteConnection $rawPath
        $rawRate = [math]::Max($rawRate, $samples / [MetricsBench]::RawInsert($raw, $SeriesCount, $Ticks, $startMs))
        $raw.Dispose()
        $storeState = New-Item -ItemType Directory (Join-Path $work "store$round")
        if (-not $IsWindows) { chmod 700 $storeState }
        $storePath = Join-Path $storeState 'metrics.db'
        $store = [WorkflowAutomation.Metrics.MetricStore]::Open($storePath, [WorkflowAutomation.Metrics.MetricStoreOptions]::new(), [BenchClock]::new($storeClock))
        $apiRate = [math]::Max($apiRate, $samples / [MetricsBench]::StoreIngest($store, $SeriesCount, $Ticks, $startMs))
        Write-Host ("round {0}: raw {1:N0}/s, store API {2:N0}/s (best so far)" -f $round, $rawRate, $apiRate)
        if ($round -lt $Rounds) { $store.Dispose() }
    }

    # Bytes on disk of the 1,000,000 samples alone (before the 30-day series below is added):
    # all in the head first (the layout before compaction), then after compaction.
    $headBytes = Get-DbBytes $storePath 'samples'
    $compaction = [MetricsBench]::Compact($store)
    $storeBytes = Get-DbBytes $storePath 'samples'

    # 2. Queries on the last round's databases, each paired with the equivalent raw SELECT:
    #    the newest hour of one series at raw resolution; 30 days of one series at 5m.
    $raw = New-SqliteConnection $rawPath
    $hourEnd = [DateTimeOffset]::FromUnixTimeMilliseconds($dataEndMs)
    $hourQuery = [MetricsBench]::PairedMedian(
        [MetricsBench]::StoreQueryOf($store.Reader, 'bench.series.001', $hourEnd.AddSeconds(-3599), $hourEnd, 'Raw'),
        [MetricsBench]::RawQueryOf($raw, 1, $hourEnd.AddSeconds(-3599).ToUnixTimeMilliseconds(), $hourEnd.ToUnixTimeMilliseconds()), $QueryRuns)
    $oldHourStart = [DateTimeOffset]::FromUnixTimeMilliseconds($startMs + 3600000)
    $oldHourQuery = [MetricsBench]::PairedMedian(
        [MetricsBench]::StoreQueryOf($store.Reader, 'bench.series.001', $oldHourStart, $oldHourStart.AddSeconds(3599), 'Raw'),
        [MetricsBench]::RawQueryOf($raw, 1, $oldHourStart.ToUnixTimeMilliseconds(), $oldHourStart.AddSeconds(3599).ToUnixTimeMilliseconds()), $QueryRuns)
    $month = $store.Writer.Series('bench.month', 'Gauge', $null)
    $now = [DateTimeOffset]::FromUnixTimeMilliseconds($nowMs)
    for ($i = 0; $i -lt 8640; $i++) { [void]$month.Record($i % 100 + 0.5, $now.AddMinutes(-5 * (8640 - $i))) }
    $store.Writer.Flush()
    $monthQuery = [MetricsBench]::PairedMedian(
        [MetricsBench]::StoreQueryOf($store.Reader, 'bench.month', $now.AddDays(-30), $now, 'FiveMinutes'),
        [MetricsBench]::RawQueryOf($raw, 1, $startMs, $startMs + 8639999L), $QueryRuns)
    $raw.Dispose()
    $store.Dispose()
    $rawBytes = Get-DbBytes $rawPath 'samples'
    $env:WORKFLOW_AUTOMATION_HOME = $storeState
    $cmdletHour = [MetricsBench]::Median({ @(Get-WorkflowMetric -Name bench.series.001 -Start $hourEnd.AddSeconds(-3599).UtcDateTime -End $hourEnd.UtcDateTime -Resolution Raw).Count }, 5)

    # 4. Through the cmdlet: numbers piped into Write-WorkflowMetric in a fresh state directory.
    $env:WORKFLOW_AUTOMATION_HOME = Join-Path $work 'state'
    New-Item -ItemType Directory $env:WORKFLOW_AUTOMATION_HOME | Out-Null
    if (-not $IsWindows) { chmod 700 $env:WORKFLOW_AUTOMATION_HOME }
    $values = [double[]]::new($CmdletSamples)
    for ($i = 0; $i -lt $CmdletSamples; $i++) { $values[$i] = [MetricsBench]::Value(1, $i) }
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $values | Write-WorkflowMetric -Name bench.cmdlet
    $cmdletSeconds = $watch.Elapsed.TotalSeconds
    $cmdletRate = $CmdletSamples / $cmdletSeconds
    $stored = (Get-WorkflowMetric -Name bench.cmdlet -Start (Get-Date).AddHours(-1) -Resolution Raw -Aggregate Count).Value

    $rawPerSample = $storeBytes.File / $samples
    $headPerSample = $headBytes.File / $samples
    $rawLayoutPerSample = $rawBytes.File / $samples
    $rows = @(
        [pscustomobject]@{ Measure = 'raw prepared insert, 1 transaction (limit)'; Figure = '{0:N0} samples/s' -f $rawRate; Target = ''; Ratio = ''; Met = '' }
        [pscustomobject]@{ Measure = 'store API ingest (writer thread + rollups)'; Figure = '{0:N0} samples/s' -f $apiRate; Target = '>= 50% of raw'; Ratio = '{0:P0} of raw' -f ($apiRate / $rawRate); Met = ($apiRate / $rawRate -ge 0.5) }
        [pscustomobject]@{ Measure = ('Write-WorkflowMetric ({0:N0} piped numbers)' -f $CmdletSamples); Figure = '{0:N0} samples/s' -f $cmdletRate; Target = '>= 60% of raw'; Ratio = '{0:P1} of raw; {1:N0} stored' -f ($cmdletRate / $rawRate), $stored; Met = ($cmdletRate / $rawRate -ge 0.6) }
        [pscustomobject]@{ Measure = 'compaction of all but the head window (writer thread)'; Figure = '{0:N0} samples/s' -f ($compaction[1] / $compaction[0]); Target = ''; Ratio = '{0:N0} samples moved in {1:N2} s' -f $compaction[1], $compaction[0]; Met = '' }
        [pscustomobject]@{ Measure = '1-hour raw query, newest hour (head + chunks), store API'; Figure = '{0:N2} ms ({1} rows)' -f $hourQuery[0], $hourQuery[1]; Target = '< 5 ms'; Ratio = '{0:N1}x raw SELECT ({1:N2} ms, {2} rows)' -f ($hourQuery[0] / $hourQuery[2]), $hourQuery[2], $hourQuery[3]; Met = ($hourQuery[0] -lt 5) }
        [pscustomobject]@{ Measure = '1-hour raw query, older hour (chunks), store API'; Figure = '{0:N2} ms ({1} rows)' -f $oldHourQuery[0], $oldHourQuery[1]; Target = '< 5 ms'; Ratio = '{0:N1}x raw SELECT ({1:N2} ms, {2} rows)' -f ($oldHourQuery[0] / $oldHourQuery[2]), $oldHourQuery[2], $oldHourQuery[3]; Met = ($oldHourQuery[0] -lt 5) }
        [pscustomobject]@{ Measure = '1-hour raw query, Get-WorkflowMetric'; Figure = '{0:N2} ms ({1} rows)' -f $cmdletHour[0], $cmdletHour[1]; Target = ''; Ratio = ''; Met = '' }
        [pscustomobject]@{ Measure = '30-day query at 5m, store API'; Figure = '{0:N2} ms ({1} rows)' -f $monthQuery[0], $monthQuery[1]; Target = '< 20 ms'; Ratio = '{0:N1}x raw SELECT of as many rows ({1:N2} ms)' -f ($monthQuery[0] / $monthQuery[2]), $monthQuery[2]; Met = ($monthQuery[0] -lt 20) }
        [pscustomobject]@{ Measure = 'bytes per raw sample, whole metrics.db, before compaction'; Figure = '{0:N1} B' -f $headPerSample; Target = ''; Ratio = '{0:N2}x raw layout' -f ($headPerSample / $rawLayoutPerSample); Met = '' }
        [pscustomobject]@{ Measure = 'bytes per raw sample, whole metrics.db, compacted (rollups incl.)'; Figure = '{0:N1} B' -f $rawPerSample; Target = '<= 8 B'; Ratio = '{0:N2}x raw layout ({1:N1} B)' -f ($rawPerSample / $rawLayoutPerSample), $rawLayoutPerSample; Met = ($rawPerSample -le 8) }
    )
    $rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    foreach ($row in $rows) { Add-BenchFigure -Bench metrics -Measure $row.Measure -Figure ("$($row.Figure) $($row.Ratio)".Trim()) -Target $row.Target -Met $row.Met }
}
finally {
    Remove-Item env:WORKFLOW_AUTOMATION_HOME -ErrorAction Ignore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
