<#
.SYNOPSIS
    A small writer of self-contained SVG line charts for the benchmarks: log-scale x, linear y,
    axis labels, one line per series, an optional dashed target line.
#>

$Palette = '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'

function Format-Number([double] $Value) {
    foreach ($unit in @(@(1e9, 'G'), @(1e6, 'M'), @(1e3, 'k'))) {
        if ([math]::Abs($Value) -ge $unit[0]) { return ('{0:0.##}{1}' -f ($Value / $unit[0]), $unit[1]) }
    }
    '{0:0.###}' -f $Value
}

function Get-NiceCeiling([double] $Value) {
    if ($Value -le 0) { return 1 }
    $magnitude = [math]::Pow(10, [math]::Floor([math]::Log10($Value)))
    foreach ($step in 1, 2, 2.5, 5, 10) { if ($step * $magnitude -ge $Value) { return $step * $magnitude } }
}

function Protect-Xml([string] $Text) { [System.Security.SecurityElement]::Escape($Text) }

<#
.SYNOPSIS
    Writes a line chart as a self-contained SVG file.
.PARAMETER Series
    One hashtable per line: @{ Name = 'label'; Points = @( @(x, y), ... ) } (x > 0).
.PARAMETER Target
    A y value drawn as a dashed line, with TargetLabel beside it.
#>
function Write-SvgPlot {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Title,
        [Parameter(Mandatory)] [string] $XLabel,
        [Parameter(Mandatory)] [string] $YLabel,
        [Parameter(Mandatory)] [hashtable[]] $Series,
        [double] $Target = [double]::NaN,
        [string] $TargetLabel = ''
    )
    $width = 840; $height = 440
    $left = 72; $right = 270; $top = 44; $bottom = 64
    $plotWidth = $width - $left - $right; $plotHeight = $height - $top - $bottom
    $xs = @($Series | ForEach-Object { $_.Points | ForEach-Object { [double]$_[0] } })
    $ys = @($Series | ForEach-Object { $_.Points | ForEach-Object { [double]$_[1] } })
    # The data's own range, a little wider, with a tick at each power of ten inside it.
    $xMin = [math]::Log10(($xs | Measure-Object -Minimum).Minimum)
    $xMax = [math]::Log10(($xs | Measure-Object -Maximum).Maximum)
    if ($xMax - $xMin -lt 1) { $xMin -= 0.5; $xMax += 0.5 }
    $pad = ($xMax - $xMin) * 0.04
    $xMin -= $pad; $xMax += $pad
    $yTop = ($ys | Measure-Object -Maximum).Maximum
    if (-not [double]::IsNaN($Target)) { $yTop = [math]::Max($yTop, $Target) }
    $yMax = Get-NiceCeiling ($yTop * 1.1)
    $x = { param([double] $value) $left + $plotWidth * ([math]::Log10($value) - $xMin) / ($xMax - $xMin) }
    $y = { param([double] $value) $top + $plotHeight * (1 - $value / $yMax) }
    $f = { param([double] $value) $value.ToString('0.#', [cultureinfo]::InvariantCulture) }

    $svg = [System.Text.StringBuilder]::new()
    $null = $svg.AppendLine("<svg xmlns='http://www.w3.org/2000/svg' width='$width' height='$height' viewBox='0 0 $width $height' font-family='DejaVu Sans, Arial, sans-serif' font-size='12'>")
    $null = $svg.AppendLine("<rect width='100%' height='100%' fill='white'/>")
    $null = $svg.AppendLine("<text x='$($width / 2)' y='24' text-anchor='middle' font-size='15' font-weight='bold'>$(Protect-Xml $Title)</text>")
    foreach ($step in 0..5) {
        $value = $yMax * $step / 5
        $py = & $f (& $y $value)
        $null = $svg.AppendLine("<line x1='$left' x2='$($left + $plotWidth)' y1='$py' y2='$py' stroke='#e5e5e5'/>")
        $null = $svg.AppendLine("<text x='$($left - 6)' y='$py' dy='4' text-anchor='end'>$(Format-Number $value)</text>")
    }
    foreach ($decade in [math]::Ceiling($xMin)..[math]::Floor($xMax)) {
        $px = & $f (& $x ([math]::Pow(10, $decade)))
        $null = $svg.AppendLine("<line x1='$px' x2='$px' y1='$top' y2='$($top + $plotHeight)' stroke='#e5e5e5'/>")
        $null = $svg.AppendLine("<text x='$px' y='$($top + $plotHeight + 18)' text-anchor='middle'>$(Format-Number ([math]::Pow(10, $decade)))</text>")
    }
    $null = $svg.AppendLine("<rect x='$left' y='$top' width='$plotWidth' height='$plotHeight' fill='none' stroke='#444'/>")
    $null = $svg.AppendLine("<text x='$($left + $plotWidth / 2)' y='$($height - 18)' text-anchor='middle'>$(Protect-Xml $XLabel) (log scale)</text>")
    $null = $svg.AppendLine("<text transform='translate(18 $($top + $plotHeight / 2)) rotate(-90)' text-anchor='middle'>$(Protect-Xml $YLabel)</text>")
    if (-not [double]::IsNaN($Target)) {
        $py = & $f (& $y $Target)
        $null = $svg.AppendLine("<line x1='$left' x2='$($left + $plotWidth)' y1='$py' y2='$py' stroke='#888' stroke-dasharray='6 4'/>")
        $null = $svg.AppendLine("<text x='$($left + $plotWidth - 4)' y='$py' dy='-5' text-anchor='end' fill='#666'>$(Protect-Xml $TargetLabel)</text>")
    }
    $index = 0
    foreach ($line in $Series) {
        $color = $Palette[$index % $Palette.Count]
        $points = ($line.Points | ForEach-Object { '{0},{1}' -f (& $f (& $x $_[0])), (& $f (& $y $_[1])) }) -join ' '
        $null = $svg.AppendLine("<polyline points='$points' fill='none' stroke='$color' stroke-width='2'/>")
        foreach ($point in $line.Points) {
            $null = $svg.AppendLine("<circle cx='$(& $f (& $x $point[0]))' cy='$(& $f (& $y $point[1]))' r='3' fill='$color'><title>$(Protect-Xml $line.Name): $(Format-Number $point[1]) at $(Format-Number $point[0])</title></circle>")
        }
        $ly = $top + 10 + 20 * $index
        $null = $svg.AppendLine("<line x1='$($left + $plotWidth + 14)' x2='$($left + $plotWidth + 34)' y1='$ly' y2='$ly' stroke='$color' stroke-width='3'/>")
        $null = $svg.AppendLine("<text x='$($left + $plotWidth + 40)' y='$ly' dy='4'>$(Protect-Xml $line.Name)</text>")
        $index++
    }
    $null = $svg.AppendLine('</svg>')
    New-Item -ItemType Directory -Force (Split-Path $Path) | Out-Null
    Set-Content -LiteralPath $Path -Value $svg.ToString() -Encoding utf8NoBOM
}

Export-ModuleMember -Function Write-SvgPlot
