<#
.SYNOPSIS
    Hermetic environments: creating an empty one; restoring a locked express tree from a warm
    cache beside npm ci --offline with a warm npm cache (hard links against copies); the disk
    a second environment with the same lock adds; verifying a 5,000-file tree. Prints each
    figure, its target and the ratio. Needs node and npm, and the npm registry once (express).
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')

$root = [IO.Path]::GetFullPath((Join-Path $ModulePath '../bench-hermetic'))
Remove-Item $root -Recurse -Force -ErrorAction Ignore
New-Item -ItemType Directory $root | Out-Null
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $root 'state'
$environments = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'environments'

function Measure-Median([int] $Times, [scriptblock] $Before, [scriptblock] $Action) {
    $samples = foreach ($i in 1..$Times) {
        if ($Before) { & $Before }
        (Measure-Command $Action).TotalMilliseconds
    }
    ($samples | Sort-Object)[[int][math]::Floor($samples.Count / 2)]
}

function Get-DiskKB([string] $Path) {
    # du counts a hard-linked file once per invocation: the real disk use.
    [long](((& du -sk $Path) -split '\s+')[0])
}

# 1. An empty environment.
$null = New-HermeticEnvironment -Name warmup -Path (Join-Path $root 'warmup')
$index = 0
$create = Measure-Median 15 $null { $script:index++; $null = New-HermeticEnvironment -Name "empty$script:index" -Path (Join-Path $root "empty$script:index") }
'create an empty environment: {0:N1} ms (target < 100 ms; {1:N1}x under)' -f $create, (100 / $create)

# 2. A locked express tree: restore from a warm cache beside npm ci --offline with a warm npm cache.
$project = Join-Path $root 'web'
$null = New-HermeticEnvironment -Name web -Path $project
$null = Install-HermeticPackage -Environment web -Manager npm -Name express -Version 4.21.2
$locked = Lock-HermeticEnvironment -Name web
$tree = $locked.TreePath
$peer = Join-Path $root 'npm-ci'
New-Item -ItemType Directory $peer | Out-Null
Copy-Item (Join-Path $tree 'npm/package.json'), (Join-Path $tree 'npm/package-lock.json') $peer
$npmCache = Join-Path $environments 'cache/npm'
$files = (Get-Content (Join-Path $tree '.hermetic/npm.list')).Count
Push-Location $peer
try {
    & npm ci --offline --ignore-scripts --no-audit --no-fund --cache $npmCache --loglevel=error | Out-Null
    if ($LASTEXITCODE -ne 0) { throw 'npm ci --offline failed: the npm cache is not warm.' }
    $npmCi = Measure-Median 5 { Remove-Item (Join-Path $peer 'node_modules') -Recurse -Force -ErrorAction Ignore } {
        & npm ci --offline --ignore-scripts --no-audit --no-fund --cache $npmCache --loglevel=error | Out-Null
    }
}
finally { Pop-Location }
$restore = Measure-Median 5 { Remove-Item $tree -Recurse -Force } { $null = Restore-HermeticEnvironment -Name web }
if (-not (Test-Path $tree)) { throw 'The restore did not recreate the tree.' }
'restore a locked express tree ({0} entries), warm cache: {1:N0} ms; npm ci --offline, warm npm cache: {2:N0} ms; ratio {3:N1}x (target >= 2x)' -f $files, $restore, $npmCi, ($npmCi / $restore)

# 3. A second project with the same lock.
$second = Join-Path $root 'web2'
New-Item -ItemType Directory $second | Out-Null
(Get-Content (Join-Path $project 'hermetic.json') -Raw) -replace '"name": "web"', '"name": "web2"' | Set-Content (Join-Path $second 'hermetic.json')
(Get-Content (Join-Path $project 'hermetic.lock.json') -Raw) -replace '"name": "web"', '"name": "web2"' | Set-Content (Join-Path $second 'hermetic.lock.json')
$firstKB = Get-DiskKB $tree
$before = Get-DiskKB $environments
$null = Restore-HermeticEnvironment -Path $second
$addedKB = (Get-DiskKB $environments) - $before
'second environment with the same lock adds {0} KB to the first one''s {1} KB: {2:N2}% (target < 5%)' -f $addedKB, $firstKB, (100 * $addedKB / $firstKB)

# 4. Verifying a 5,000-file tree: a local npm package of 5,000 small files, packed and installed.
$big = Join-Path $root 'bigpkg'
New-Item -ItemType Directory (Join-Path $big 'files') | Out-Null
Set-Content (Join-Path $big 'package.json') '{ "name": "bigpkg", "version": "1.0.0" }'
foreach ($i in 1..4998) { [IO.File]::WriteAllText((Join-Path $big "files/f$i.js"), "module.exports = $i; // $('x' * ($i % 200))`n") }
Push-Location $big
try { $tarball = Join-Path $big ((& npm pack --silent) | Select-Object -Last 1) }
finally { Pop-Location }
$null = New-HermeticEnvironment -Name big -Path (Join-Path $root 'big')
$null = Install-HermeticPackage -Environment big -Manager npm -Name bigpkg -Version "file:$tarball"
$null = Lock-HermeticEnvironment -Name big
$bigFiles = (Get-Content (Join-Path (Get-HermeticEnvironment big).TreePath '.hermetic/npm.list')).Count
if (Test-HermeticEnvironment big) { throw 'The 5,000-file environment does not verify clean.' }
$verify = Measure-Median 5 $null { $null = Test-HermeticEnvironment -Name big }
$full = Measure-Median 5 $null { $null = Test-HermeticEnvironment -Name big -Full }
$sha = Measure-Median 5 $null { & sh -c "find '$((Get-HermeticEnvironment big).TreePath)/npm' -type f -print0 | xargs -0 sha512sum > /dev/null" }
'verify a {0}-entry tree: {1:N0} ms (target < 300 ms); -Full (every file hashed): {2:N0} ms; find | xargs sha512sum of the same files: {3:N0} ms; ratio {4:N1}x and {5:N1}x' -f $bigFiles, $verify, $full, $sha, ($sha / $verify), ($sha / $full)
