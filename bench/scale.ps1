<#
.SYNOPSIS
    How cost grows with work: Get-WorkflowRun -First 20 and the dashboard's runs API with
    10^3 ... 10^6 runs recorded; the daemon's working set over 100,000 runs; the working set
    of Invoke-ParallelBatch over 10^6 streamed tasks; metric queries with 10 ... 10,000 series
    of 30 days each. Prints a table per part, draws each curve as an SVG in out/bench/ and
    reports the figures (each with its target) for the closing table of ./build.ps1 Bench.
.DESCRIPTION
    Each size has its own state directory, seeded in bulk into the schema the engine's stores
    create (runs.db: a run row with its ~2 KB definition, three steps, their attempts and log
    lines; metrics.db: through the store's writer, which keeps the rollups). Timings of all sizes
    are taken in interleaved rounds, so that every size sees the same machine load, and each
    figure is a median. The peer of a size is the smallest size measured in the same rounds:
    flat means the ratio stays near 1.
.EXAMPLE
    dotnet pwsh bench/scale.ps1 -ModulePath out/WorkflowAutomation
.EXAMPLE
    dotnet pwsh bench/scale.ps1 -ModulePath out/WorkflowAutomation -Max 100000 -Part Runs
    A quick look at the run history only, up to 100,000 runs.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # The largest run history measured (10^3 up to this, by powers of ten).
    [ValidateRange(1000, 10000000)] [int] $Max = 1000000,
    # Runs executed by the daemon while its working set is sampled.
    [ValidateRange(1000, 10000000)] [int] $DaemonRuns = 100000,
    # Tasks streamed through Invoke-ParallelBatch while its working set is sampled.
    [ValidateRange(1000, 100000000)] [int] $Tasks = 1000000,
    # The most metric series measured (10 up to this, by powers of ten), each with 30 days of data.
    [ValidateRange(10, 100000)] [int] $Series = 10000,
    # Interleaved rounds of timings; each round times every size five times.
    [ValidateRange(1, 100)] [int] $Rounds = 8,
    [ValidateSet('Runs', 'Daemon', 'Parallel', 'Metrics')] [string[]] $Part = @('Runs', 'Daemon', 'Parallel', 'Metrics')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
if ($IsWindows) { throw 'The scale benchmark reads /proc for working sets; run it on Linux.' }
$ModulePath = (Resolve-Path $ModulePath).Path
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')
Import-Module (Join-Path $PSScriptRoot 'lib/SvgPlot.psm1')
$plots = Join-Path $PSScriptRoot '../out/bench'
New-Item -ItemType Directory -Force $plots | Out-Null
$plots = (Resolve-Path $plots).Path
$work = Join-Path ([IO.Path]::GetFullPath($ModulePath)) '../bench-scale'
Remove-Item $work -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $work | Out-Null
chmod 700 $work
$env:AUTO_RESTART_MAX_PER_HOUR = '0'

# The engine lives in the module's own load context: its types (and Microsoft.Data.Sqlite) are reached through it.
$engine = ([Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'WorkflowAutomation').LoadFromAssemblyName([Reflection.AssemblyName]::new('WorkflowAutomation.Engine'))
$sqlite = [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).LoadFromAssemblyName([Reflection.AssemblyName]::new('Microsoft.Data.Sqlite'))
# Type literals name engine types through accelerators added here (the module itself adds none).
foreach ($type in $engine.GetExportedTypes() | Where-Object { -not $_.IsNested }) { [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')::Add($type.FullName, $type) }
Add-Type -Path (Join-Path $PSScriptRoot 'ScaleBench.cs') -IgnoreWarnings -WarningAction SilentlyContinue -ReferencedAssemblies @(
    (Join-Path $ModulePath 'Dependencies/WorkflowAutomation.Engine.dll'), (Join-Path $ModulePath 'WorkflowAutomation.Contracts.dll'),
    'System.Data.Common', 'System.ComponentModel.Primitives', 'System.Collections', 'System.Collections.Concurrent', 'System.Linq',
    'System.Runtime', 'System.Threading', 'System.Threading.Thread') 3>$null

function New-StateFolder([string] $Name) {
    $folder = New-Item -ItemType Directory (Join-Path $work $Name)
    chmod 700 $folder.FullName
    $folder.FullName
}
function New-StateDirectory([string] $Folder) { [WorkflowAutomation.Platform.StateDirectory]::new($Folder) }
function Open-Sqlite([string] $Path) {
    $connection = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'), @("Data Source=$Path;Pooling=False"))
    $connection.Open()
    $connection
}
function Invoke-Sql($Connection, [string] $Sql) {
    $command = $Connection.CreateCommand(); $command.CommandText = $Sql
    try { $command.ExecuteScalar() } finally { $command.Dispose() }
}
function Get-FreePort {
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop(); $port
}
function Get-WorkingSetMiB([int] $ProcessId) {
    [double]((Get-Content "/proc/$ProcessId/status" | Where-Object { $_ -like 'VmRSS:*' }) -replace '\D', '') / 1024
}
function Get-Median([double[]] $Values) { $sorted = [double[]]($Values | Sort-Object); $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }
function Get-Sizes([long] $From, [long] $To) {
    $sizes = [System.Collections.Generic.List[long]]::new()
    for ($size = $From; $size -lt $To; $size *= 10) { $sizes.Add($size) }
    $sizes.Add($To)
    , $sizes.ToArray()
}
function Format-Size([long] $Size) { if ($Size -ge 1000 -and [math]::Log10($Size) % 1 -eq 0) { '10^{0}' -f [math]::Log10($Size) } else { '{0:N0}' -f $Size } }
function Time-Call([scriptblock] $Call) {
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $null = & $Call
    $watch.Elapsed.TotalMilliseconds
}
# A figure for the closing table, and a row for this script's own table.
$rows = [System.Collections.Generic.List[object]]::new()
function Report([string] $Measure, [string] $Figure, [string] $Target = '', [object] $Met = $null) {
    $rows.Add([pscustomobject]@{ Measure = $Measure; Figure = $Figure; Target = $Target; Met = if ($null -eq $Met) { '' } elseif ($Met) { 'met' } else { 'NOT met' } })
    Add-BenchFigure -Bench scale -Measure $Measure -Figure $Figure -Target $Target -Met $Met
}

# --- 1. Run history: Get-WorkflowRun -First 20 and the dashboard's runs API -----------------
function Measure-RunHistory {
    $sizes = Get-Sizes 1000 $Max
    # One real run gives the definition JSON the store keeps for a three-step workflow.
    $template = New-StateFolder 'template'
    $workflow = Join-Path $template 'nightly-build.yaml'
    Set-Content $workflow "name: nightly-build`nexecution_mode: parallel`nsteps:`n  - { name: build, shell: sh, command: 'echo building' }`n  - { name: test, shell: sh, command: 'echo testing', depends_on: [build] }`n  - { name: deploy, shell: sh, command: 'echo deploying', depends_on: [test] }`n"
    $env:WORKFLOW_AUTOMATION_HOME = $template
    $null = Invoke-Workflow -Path $workflow
    $connection = Open-Sqlite (Join-Path $template 'runs.db')
    $definition = Invoke-Sql $connection 'SELECT definition FROM runs'
    $connection.Dispose()

    $homes = [ordered]@{}
    $newest = [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()
    foreach ($size in $sizes) {
        $folder = New-StateFolder "runs-$size"
        # The engine's own store creates the schema (tables, indexes, migrations) ...
        [WorkflowAutomation.State.SqliteRunStore]::Open((New-StateDirectory $folder)).Dispose()
        # ... then bulk inserts fill it, a run every 30 s up to now; no journal while loading.
        $connection = Open-Sqlite (Join-Path $folder 'runs.db')
        $null = Invoke-Sql $connection 'PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;'
        $seconds = [RunSeeder]::Seed($connection, $size, $newest, 30000, $definition, 'nightly-build')
        $null = Invoke-Sql $connection 'PRAGMA journal_mode=WAL'
        $connection.Dispose()
        Write-Host ("Recorded {0,9:N0} runs in {1,6:N1} s ({2:N0} MB runs.db)" -f $size, $seconds, ((Get-Item (Join-Path $folder 'runs.db')).Length / 1MB))
        $homes[[string]$size] = $folder
    }

    # One daemon with its dashboard per history, all running while the rounds go round them.
    $dashboards = @{}
    try {
        foreach ($size in $sizes) {
            $env:WORKFLOW_AUTOMATION_HOME = $homes[[string]$size]
            $port = Get-FreePort
            $null = Start-WorkflowDaemon -DashboardPort $port
            $client = [System.Net.Http.HttpClient]::new()
            $token = (Get-Content (Join-Path $homes[[string]$size] 'daemon/token') -Raw).Trim()
            $client.DefaultRequestHeaders.Add('Authorization', "Bearer $token")
            $client.BaseAddress = [Uri]"http://127.0.0.1:$port"
            $dashboards[[string]$size] = $client
        }
        $measures = [ordered]@{
            'Get-WorkflowRun -First 20'       = { Get-WorkflowRun -First 20 }
            '/api/runs?limit=50 (first page)' = { $client.GetStringAsync('/api/runs?limit=50').GetAwaiter().GetResult() }
            '/api/workflows (its filter)'     = { $client.GetStringAsync('/api/workflows').GetAwaiter().GetResult() }
            '/api/overview (landing page)'    = { $client.GetStringAsync('/api/overview').GetAwaiter().GetResult() }
        }
        $times = @{}
        foreach ($name in $measures.Keys) { foreach ($size in $sizes) { $times["$name|$size"] = [System.Collections.Generic.List[double]]::new() } }
        for ($round = 0; $round -le $Rounds; $round++) {
            foreach ($size in $sizes) {
                $env:WORKFLOW_AUTOMATION_HOME = $homes[[string]$size]
                $client = $dashboards[[string]$size]
                foreach ($name in $measures.Keys) {
                    foreach ($i in 1..5) {
                        $ms = Time-Call $measures[$name]
                        # Round 0 warms every path (JIT, page cache, pooled connections) and is not counted.
                        if ($round -gt 0) { $times["$name|$size"].Add($ms) }
                    }
                }
            }
            Write-Progress -Activity 'Run history' -Status "round $round of $Rounds" -PercentComplete (100 * $round / $Rounds)
        }
        Write-Progress -Activity 'Run history' -Completed
    }
    finally {
        foreach ($size in $sizes) {
            $env:WORKFLOW_AUTOMATION_HOME = $homes[[string]$size]
            Stop-WorkflowDaemon -ErrorAction Ignore | Out-Null
            if ($dashboards[[string]$size]) { $dashboards[[string]$size].Dispose() }
        }
    }

    $table = foreach ($name in $measures.Keys) {
        $row = [ordered]@{ Measure = "$name (median ms)" }
        foreach ($size in $sizes) { $row[(Format-Size $size)] = '{0:N2}' -f (Get-Median $times["$name|$size"]) }
        [pscustomobject]$row
    }
    $table | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    $largest = $sizes[-1]
    foreach ($name in $measures.Keys) {
        $atLargest = Get-Median $times["$name|$largest"]
        $growth = $atLargest / (Get-Median $times["$name|$($sizes[0])"])
        $curve = ($sizes | ForEach-Object { '{0:N2}' -f (Get-Median $times["$name|$_"]) }) -join ' / '
        Report "$name, median with $(Format-Size $largest) runs" ('{0:N2} ms ({1} ms at {2})' -f $atLargest, $curve, (($sizes | ForEach-Object { Format-Size $_ }) -join ' / ')) '< 10 ms' ($atLargest -lt 10)
        Report "$name, growth 10^3 -> $(Format-Size $largest) runs" ('{0:N2}x' -f $growth) '<= 1.5x (flat)' ($growth -le 1.5)
    }
    $path = Join-Path $plots 'scale-run-history.svg'
    Write-SvgPlot -Path $path -Title 'Reading the run history as it grows' -XLabel 'runs recorded in runs.db' -YLabel 'median milliseconds' -Target 10 -TargetLabel 'target < 10 ms' -Series @(
        foreach ($name in $measures.Keys) { @{ Name = $name; Points = @($sizes | ForEach-Object { , @($_, (Get-Median $times["$name|$_"])) }) } })
    Write-Host "Plot: $path"
    Remove-Item ($homes.Values) -Recurse -Force -ErrorAction Ignore
}

# Checkpoints 1, 2, 5 per decade from 10^3 up to a limit (and the limit itself).
function Get-Checkpoints([long] $Limit) {
    $points = foreach ($decade in 3..9) { foreach ($step in 1, 2, 5) { $n = [long]($step * [math]::Pow(10, $decade)); if ($n -lt $Limit) { $n } } }
    @($points) + $Limit
}
function Format-Curve($Points, [string] $Format = '{0:N0}') { ($Points | ForEach-Object { "$(Format-Size $_[0]): $($Format -f $_[1])" }) -join ', ' }

# --- 2. Daemon working set over $DaemonRuns runs --------------------------------------------
function Measure-DaemonMemory {
    $folder = New-StateFolder 'daemon'
    $env:WORKFLOW_AUTOMATION_HOME = $folder
    $workflow = Join-Path $folder 'tick.yaml'
    # One step that writes a line: each run records a run, a step, an attempt and a log line. A
    # shell step, since twenty runs at once would give most pwsh steps a pwsh process of their own.
    Set-Content $workflow "name: tick`nsteps:`n  - { name: only, shell: sh, command: 'echo tick' }`n"
    $state = New-StateDirectory $folder
    $daemonPid = (Start-WorkflowDaemon -DashboardPort (Get-FreePort)).ProcessId
    $points = [System.Collections.Generic.List[object]]::new()
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        $done = 0
        foreach ($checkpoint in Get-Checkpoints $DaemonRuns) {
            [DaemonLoad]::Submit($state, $workflow, $checkpoint - $done, 4)
            [DaemonLoad]::WaitIdle($state, [TimeSpan]::FromHours(2))
            $done = $checkpoint
            $points.Add(@($done, (Get-WorkingSetMiB $daemonPid)))
            Write-Host ("daemon: {0,7:N0} runs done in {1,5:N0} s, working set {2:N0} MiB" -f $done, $clock.Elapsed.TotalSeconds, $points[-1][1])
        }
        $connection = Open-Sqlite (Join-Path $folder 'runs.db')
        $recorded = Invoke-Sql $connection "SELECT count(*) FROM runs WHERE name = 'tick' AND status = 'Succeeded'"
        $connection.Dispose()
    }
    finally { Stop-WorkflowDaemon -ErrorAction Ignore | Out-Null }

    $first = $points[0][1]; $last = $points[-1][1]
    $growth = $last / $first
    Report "daemon working set after $(Format-Size $DaemonRuns) runs (per-run rate $('{0:N0}' -f ($DaemonRuns / $clock.Elapsed.TotalSeconds))/s)" ('{0:N0} MiB ({1})' -f $last, (Format-Curve $points '{0:N0} MiB')) '' $null
    Report "daemon working set, growth 10^3 -> $(Format-Size $DaemonRuns) runs" ('{0:N2}x ({1:+0;-0} MiB)' -f $growth, ($last - $first)) '<= 1.2x (flat)' ($growth -le 1.2)
    Report 'daemon runs recorded as Succeeded' "$recorded of $DaemonRuns" "$DaemonRuns" ($recorded -eq $DaemonRuns)
    $path = Join-Path $plots 'scale-daemon-memory.svg'
    Write-SvgPlot -Path $path -Title "Daemon working set over $('{0:N0}' -f $DaemonRuns) runs" -XLabel 'runs executed and recorded' -YLabel 'working set (MiB)' -Series @(@{ Name = 'daemon with dashboard'; Points = $points.ToArray() })
    Write-Host "Plot: $path"
}

# --- 3. Invoke-ParallelBatch working set over $Tasks streamed tasks --------------------------
function Measure-ParallelMemory {
    $folder = New-StateFolder 'parallel'
    $probe = Join-Path $folder 'probe.ps1'
    # A fresh process per line, so that each curve starts from a clean heap; the feed samples the
    # working set as it hands out input item number n.
    Set-Content $probe @'
param([string] $ModulePath, [long] $Tasks, [string] $Checkpoints, [string] $Mode)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')
$due = [System.Collections.Generic.Queue[long]]::new([long[]]($Checkpoints -split ','))
$samples = [System.Collections.Generic.List[object]]::new()
$feed = { $next = $due.Dequeue(); for ($i = 1; $i -le $Tasks; $i++) { if ($i -eq $next) { $samples.Add(@($i, ([Environment]::WorkingSet / 1MB))); if ($due.Count) { $next = $due.Dequeue() } }; $i } }
$watch = [Diagnostics.Stopwatch]::StartNew()
if ($Mode -eq 'ForEach-Object') { & $feed | ForEach-Object { $_ * 2 } | Out-Null }
else { & $feed | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } | Out-Null }
$peak = [double]((Get-Content /proc/self/status | Where-Object { $_ -like 'VmHWM:*' }) -replace '\D', '') / 1024
@{ Samples = $samples; Peak = $peak; Seconds = $watch.Elapsed.TotalSeconds } | ConvertTo-Json -Depth 4 -Compress
'@
    $pwsh = Join-Path $PSHOME 'pwsh'
    $checkpoints = (Get-Checkpoints $Tasks) -join ','
    $curves = [ordered]@{}
    foreach ($mode in 'Invoke-ParallelBatch', 'ForEach-Object') {
        $env:WORKFLOW_AUTOMATION_HOME = New-StateFolder "parallel-$mode"
        $json = & $pwsh -NoProfile -NonInteractive -File $probe -ModulePath $ModulePath -Tasks $Tasks -Checkpoints $checkpoints -Mode $mode
        if ($LASTEXITCODE -ne 0) { throw "The $mode probe failed: $json" }
        $curves[$mode] = $json | Select-Object -Last 1 | ConvertFrom-Json
        Write-Host ("{0}: {1:N0} tasks in {2:N1} s, peak working set {3:N0} MiB" -f $mode, $Tasks, $curves[$mode].Seconds, $curves[$mode].Peak)
    }
    $ours = $curves['Invoke-ParallelBatch']
    $at = { param($curve, [long] $n) ($curve.Samples | Where-Object { $_[0] -eq $n })[1] }
    # From a tenth of the stream on: by then several segments (16,384 tasks each) have come and gone.
    $from = ((Get-Checkpoints $Tasks) | Where-Object { $_ -ge $Tasks / 10 })[0]
    $growth = (& $at $ours $Tasks) - (& $at $ours $from)
    $peerGrowth = (& $at $curves['ForEach-Object'] $Tasks) - (& $at $curves['ForEach-Object'] $from)
    Report "Invoke-ParallelBatch -ScriptBlock working set over $(Format-Size $Tasks) streamed tasks" ('{0:N0} MiB peak ({1})' -f $ours.Peak, (Format-Curve $ours.Samples '{0:N0} MiB')) '' $null
    Report "Invoke-ParallelBatch working set, growth $(Format-Size $from) -> $(Format-Size $Tasks) tasks" ('{0:+0;-0} MiB (peer: the same stream through ForEach-Object {{ $_ * 2 }}, sequential: {1:+0;-0} MiB)' -f $growth, $peerGrowth) '<= 32 MiB (bounded)' ($growth -le 32)
    $path = Join-Path $plots 'scale-parallel-memory.svg'
    Write-SvgPlot -Path $path -Title "Working set while $('{0:N0}' -f $Tasks) items stream through { `$_ * 2 }" -XLabel 'input items read' -YLabel 'working set (MiB)' -Series @(
        @{ Name = 'Invoke-ParallelBatch'; Points = @($ours.Samples) }
        @{ Name = 'ForEach-Object (peer)'; Points = @($curves['ForEach-Object'].Samples) })
    Write-Host "Plot: $path"
}

# --- 4. Metric queries with 10 ... $Series series of 30 days ----------------------------------
function Measure-MetricQueries {
    $sizes = Get-Sizes 10 $Series
    $now = [DateTimeOffset]::UtcNow
    $now = $now.AddMilliseconds(-($now.ToUnixTimeMilliseconds() % 3600000))
    $clock = [FixedClock]::new($now)
    $homes = [ordered]@{}
    $readers = @{}
    foreach ($size in $sizes) {
        $folder = New-StateFolder "metrics-$size"
        $store = [WorkflowAutomation.Metrics.MetricStore]::Open((New-StateDirectory $folder), [WorkflowAutomation.Metrics.MetricStoreOptions]::new(), $clock)
        try { $seconds = [MetricSeeder]::Seed($store, $size, 10, $now, 30, [TimeSpan]::FromMinutes(60)) }
        finally { $store.Dispose() }
        Write-Host ("Recorded {0,6:N0} series (10 hosts a name) x 30 days, a sample an hour, through the store's writer in {1,6:N1} s ({2:N0} MB metrics.db)" -f $size, $seconds, ((Get-Item (Join-Path $folder 'metrics.db')).Length / 1MB))
        $homes[[string]$size] = $folder
        $readers[[string]$size] = [WorkflowAutomation.Metrics.MetricReader]::new((Join-Path $folder 'metrics.db'), [WorkflowAutomation.Metrics.MetricStoreOptions]::new(), $clock)
    }
    $tags = [Collections.Generic.Dictionary[string, string]]::new(); $tags['host'] = 'h07'
    $month = [WorkflowAutomation.Metrics.MetricQuery]@{ Name = 'svc0000.requests'; Tags = $tags; Start = $now.AddDays(-30); End = $now }
    $day = [WorkflowAutomation.Metrics.MetricQuery]@{ Name = 'svc0000.requests'; Tags = $tags; Start = $now.AddDays(-1); End = $now }
    $measures = [ordered]@{
        'store API, 30 days of a series (1h)'  = { $reader.Query($month).Count }
        'store API, 24 hours of a series (5m)' = { $reader.Query($day).Count }
        'Get-WorkflowMetric, 30 days (1h)'     = { Get-WorkflowMetric -Name svc0000.requests -Tag @{ host = 'h07' } -Start $now.AddDays(-30).UtcDateTime -End $now.UtcDateTime }
    }
    $times = @{}
    foreach ($name in $measures.Keys) { foreach ($size in $sizes) { $times["$name|$size"] = [System.Collections.Generic.List[double]]::new() } }
    for ($round = 0; $round -le $Rounds; $round++) {
        foreach ($size in $sizes) {
            $env:WORKFLOW_AUTOMATION_HOME = $homes[[string]$size]
            $reader = $readers[[string]$size]
            foreach ($name in $measures.Keys) {
                foreach ($i in 1..5) {
                    $ms = Time-Call $measures[$name]
                    if ($round -gt 0) { $times["$name|$size"].Add($ms) }
                }
            }
        }
    }
    $largestReader = $readers[[string]$sizes[-1]]
    $points = @{}
    foreach ($name in $measures.Keys) { $points[$name] = if ($name -like '*24 hours*') { $largestReader.Query($day).Count } else { $largestReader.Query($month).Count } }
    $table = foreach ($name in $measures.Keys) {
        $row = [ordered]@{ Measure = "$name (median ms)" }
        foreach ($size in $sizes) { $row["$(Format-Size $size) series"] = '{0:N2}' -f (Get-Median $times["$name|$size"]) }
        [pscustomobject]$row
    }
    $table | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
    $largest = $sizes[-1]
    foreach ($name in $measures.Keys) {
        $atLargest = Get-Median $times["$name|$largest"]
        $growth = $atLargest / (Get-Median $times["$name|$($sizes[0])"])
        $curve = ($sizes | ForEach-Object { '{0:N2}' -f (Get-Median $times["$name|$_"]) }) -join ' / '
        Report "metrics: $name, $('{0:N0}' -f $largest) series x 30 days" ('{0:N2} ms ({1} ms at {2} series; {3} points)' -f $atLargest, $curve, (($sizes | ForEach-Object { '{0:N0}' -f $_ }) -join ' / '), $points[$name]) '< 20 ms' ($atLargest -lt 20)
        Report "metrics: $name, growth 10 -> $('{0:N0}' -f $largest) series" ('{0:N2}x' -f $growth) '<= 1.5x (flat)' ($growth -le 1.5)
    }
    $path = Join-Path $plots 'scale-metric-queries.svg'
    Write-SvgPlot -Path $path -Title 'Metric queries as the series grow (30 days each)' -XLabel 'series in metrics.db' -YLabel 'median milliseconds' -Target 20 -TargetLabel 'target < 20 ms' -Series @(
        foreach ($name in $measures.Keys) { @{ Name = $name; Points = @($sizes | ForEach-Object { , @($_, (Get-Median $times["$name|$_"])) }) } })
    Write-Host "Plot: $path"
}

try {
    if ('Runs' -in $Part) { Measure-RunHistory }
    if ('Metrics' -in $Part) { Measure-MetricQueries }
    if ('Parallel' -in $Part) { Measure-ParallelMemory }
    if ('Daemon' -in $Part) { Measure-DaemonMemory }
}
finally {
    Remove-Item env:WORKFLOW_AUTOMATION_HOME -ErrorAction Ignore
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 220 | Write-Host
