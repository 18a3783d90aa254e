<#
.SYNOPSIS
    Figures a benchmark reports for the closing table of `./build.ps1 Bench`.
.DESCRIPTION
    Each bench/*.ps1 calls Add-BenchFigure once per figure. When the environment variable
    WORKFLOW_AUTOMATION_BENCH_RESULTS names a file (build.ps1 sets it), the figure is appended
    to it as one JSON line with the machine's load average at that moment, because on a shared
    machine a figure means little without it. Run on its own, a script still prints its tables.
#>

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { return ((Get-Content /proc/loadavg -Raw) -split ' ')[0] }
    ''
}

function Add-BenchFigure {
    param(
        [Parameter(Mandatory)] [string] $Bench,
        [Parameter(Mandatory)] [string] $Measure,
        [Parameter(Mandatory)] [string] $Figure,
        # What the figure must reach, in words ('>= 0.97x'); empty for a figure shown for context.
        [string] $Target = '',
        # $true or $false against the target; $null when there is no target.
        [object] $Met = $null
    )
    $row = [pscustomobject]@{
        Bench   = $Bench
        Measure = $Measure
        Figure  = $Figure
        Target  = $Target
        Met     = if ($null -eq $Met -or $Target -eq '') { '' } elseif ($Met) { 'met' } else { 'NOT met' }
        Load    = Get-LoadAverage
    }
    if ($env:WORKFLOW_AUTOMATION_BENCH_RESULTS) {
        Add-Content -LiteralPath $env:WORKFLOW_AUTOMATION_BENCH_RESULTS -Value ($row | ConvertTo-Json -Compress)
    }
}

function Get-BenchFigures([string] $Path) {
    if (-not (Test-Path $Path)) { return @() }
    Get-Content $Path | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json }
}

Export-ModuleMember -Function Add-BenchFigure, Get-BenchFigures, Get-LoadAverage
