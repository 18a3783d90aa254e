#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, packages and demonstrates the WorkflowAutomation module.
.DESCRIPTION
    Small named tasks; each has a one-line synopsis (./build.ps1 -List shows them).
    Anything that loads the freshly built module runs in a child pwsh, so this session
    never holds the DLL.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    # The tasks to run, in order.
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Help', 'Test', 'Package', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Runs only the Pester files whose name matches (for a quick loop).
    [string] $PesterFilter = '*',

    # Lists the tasks and their synopses.
    [switch] $List
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'WorkflowAutomation'
$Pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
# The native SQLite builds we ship; the rest of the ~22 runtimes are dropped.
$ShippedRuntimes = 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
# Plain text in logs and CI: no ANSI colour codes.
$PSStyle.OutputRendering = "PlainText"
$env:NO_COLOR = "1"

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE." }
}

function Task-Build {
    # Synopsis: Compile and assemble the module into out/WorkflowAutomation.
    $publish = Join-Path $Out 'publish'
    Remove-Item $publish, $ModuleOut -Recurse -Force -ErrorAction Ignore
    Invoke-Native dotnet @('publish', "$Root/src/WorkflowAutomation.PowerShell", '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')

    $dependencies = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'Dependencies')
    # Only the cmdlet and contracts assemblies sit in the module folder (PowerShell's default
    # context); pwsh would resolve the engine from there otherwise and the isolation would be lost.
    $surface = 'WorkflowAutomation.PowerShell.*', 'WorkflowAutomation.Contracts.*'
    $surface | ForEach-Object { Copy-Item "$publish/$_" $ModuleOut }
    Get-ChildItem $publish -Filter *.dll | Where-Object { $name = $_.Name; -not ($surface | Where-Object { $name -like $_ }) } |
        Copy-Item -Destination $dependencies
    Get-ChildItem $publish -Filter 'WorkflowAutomation.Engine.pdb' | Copy-Item -Destination $dependencies
    foreach ($rid in $ShippedRuntimes) {
        $native = Join-Path $publish "runtimes/$rid/native"
        if (Test-Path $native) {
            $target = New-Item -ItemType Directory -Force (Join-Path $dependencies "runtimes/$rid/native")
            Copy-Item "$native/*" $target
        }
    }
    $formats = Get-ChildItem "$Root/module" -Filter *.Format.ps1xml | Sort-Object Name
    $formats | Copy-Item -Destination $ModuleOut
    Write-Manifest -Formats $formats.Name
    Task-Help
    Write-Host "Built $ModuleOut"
    Write-Host "Load it in a pwsh session with: Import-Module '$ModuleOut/WorkflowAutomation.psd1'"
}

function Write-Manifest([string[]] $Formats) {
    # The cmdlet list comes from the [Cmdlet(...)] attributes, so adding a command needs no manifest edit.
    $cmdlets = Get-ChildItem "$Root/src/WorkflowAutomation.PowerShell/Commands" -Filter *Command.cs |
        ForEach-Object {
            $text = Get-Content $_ -Raw
            if ($text -match '\[Cmdlet\(Verbs\w+\.(\w+),\s*"(\w+)"') { "$($Matches[1])-$($Matches[2])" }
        } | Sort-Object
    $quote = { param($items) ($items | ForEach-Object { "'$_'" }) -join ', ' }
    (Get-Content "$Root/module/WorkflowAutomation.psd1" -Raw) `
        -replace 'CmdletsToExport\s*=\s*@\(\)', "CmdletsToExport      = @($(& $quote $cmdlets))" `
        -replace 'FormatsToProcess\s*=\s*@\(\)', "FormatsToProcess     = @($(& $quote $Formats))" |
        Set-Content (Join-Path $ModuleOut 'WorkflowAutomation.psd1')
}

function Task-Help {
    # Synopsis: Generate MAML help for every cmdlet from the XML documentation in the source.
    $xmlDoc = Join-Path $ModuleOut 'WorkflowAutomation.PowerShell.xml'
    & $Pwsh -NoProfile -NonInteractive -File "$Root/module/tools/New-MamlHelp.ps1" -ModulePath $ModuleOut -XmlDocPath $xmlDoc
    if ($LASTEXITCODE -ne 0) { throw 'Help generation failed.' }
}

function Task-Test {
    # Synopsis: Build and package, then run xunit and Pester; end with one line 'N passed, N failed'.
    Task-Build
    Task-Package
    $results = Join-Path $Out 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Force $results | Out-Null

    $xunitFailedToRun = $false
    foreach ($project in Get-ChildItem "$Root/tests" -Recurse -Filter '*.Tests.csproj') {
        & dotnet test $project.FullName -c $Configuration --nologo --logger "trx;LogFileName=$($project.BaseName).trx" --logger 'console;verbosity=minimal' --results-directory $results
        if ($LASTEXITCODE -ne 0) { $xunitFailedToRun = $true }
    }
    $xunit = @{ Passed = 0; Failed = 0 }
    foreach ($trx in Get-ChildItem $results -Filter *.trx) {
        $counters = ([xml](Get-Content $trx -Raw)).TestRun.ResultSummary.Counters
        $xunit.Passed += [int]$counters.passed
        $xunit.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    if ($xunitFailedToRun -and $xunit.Failed -eq 0) { $xunit.Failed = 1; Write-Warning 'dotnet test failed without a failing test (build or host failure).' }

    $pesterSummary = Join-Path $results 'pester.json'
    # Passed through the environment: pwsh would expand a bare '*' argument into file names.
    $env:WORKFLOW_AUTOMATION_PESTER_FILTER = $PesterFilter
    & $Pwsh -NoProfile -NonInteractive -File "$Root/tests/Pester/Invoke-PesterSuite.ps1" -ModulePath $ModuleOut -PesterPath (Get-PesterPath) -SummaryPath $pesterSummary
    $pester = if (Test-Path $pesterSummary) { Get-Content $pesterSummary -Raw | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1 } }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Get-PesterPath {
    # Pester comes from NuGet through a restore (PackageDownload), never from a gallery.
    Invoke-Native dotnet @('restore', "$Root/tests/Pester/PesterRestore.proj", '--nologo', '-v', 'quiet')
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $psd1 = Join-Path $cache.Trim() 'pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $psd1)) { throw "Pester was not restored to $psd1." }
    $psd1
}

function Task-Package {
    # Synopsis: Publish the module to a local folder repository; the .nupkg lands in out/.
    if (-not (Test-Path (Join-Path $ModuleOut 'WorkflowAutomation.psd1'))) { Task-Build }
    $repository = Join-Path $Out 'repository'
    Remove-Item $repository -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Force $repository | Out-Null
    & $Pwsh -NoProfile -NonInteractive -File "$Root/module/tools/Publish-LocalPackage.ps1" -ModulePath $ModuleOut -RepositoryPath $repository -IsolatedHome (Join-Path $Out "package-home")
    if ($LASTEXITCODE -ne 0) { throw 'Publishing the package failed.' }
    Copy-Item "$repository/*.nupkg" $Out -Force
    Get-ChildItem $Out -Filter *.nupkg | ForEach-Object { Write-Host "Packaged $($_.FullName)" }
}

function Task-Demo {
    # Synopsis: Run the main job: the example workflows, end to end, in a fresh state directory.
    Task-Build
    # Non-interactive: the demo shows how an unattended run behaves at an approval gate.
    & $Pwsh -NoProfile -NonInteractive -File "$Root/examples/demo.ps1" -ModulePath $ModuleOut
    if ($LASTEXITCODE -ne 0) { throw 'The demo failed.' }
}

function Task-Bench {
    # Synopsis: Run every benchmark in bench/ (each against its peer in the same run); end with one table of every figure, its target and met or not.
    Task-Build
    $figures = Join-Path $Out 'bench/figures.jsonl'
    New-Item -ItemType Directory -Force (Split-Path $figures) | Out-Null
    Remove-Item $figures -ErrorAction Ignore
    $env:WORKFLOW_AUTOMATION_BENCH_RESULTS = $figures
    Import-Module "$Root/bench/lib/BenchFigures.psm1" -Force
    try {
        foreach ($script in Get-ChildItem "$Root/bench" -Filter *.ps1 | Sort-Object Name) {
            & $Pwsh -NoProfile -File $script.FullName -ModulePath $ModuleOut
            if ($LASTEXITCODE -ne 0) {
                Add-BenchFigure -Bench $script.BaseName -Measure 'benchmark script' -Figure "exit code $LASTEXITCODE" -Target 'exit code 0' -Met $false
            }
        }
    }
    finally { Remove-Item env:WORKFLOW_AUTOMATION_BENCH_RESULTS }
    $rows = @(Get-BenchFigures $figures)
    $rows | Format-Table Bench, Measure, Figure, Target, Met, Load -AutoSize -Wrap | Out-String -Width 250 | Write-Host
    $unmet = @($rows | Where-Object Met -EQ 'NOT met').Count
    Write-Host ("{0} figures, {1} targets met, {2} not met; load average at each figure in the Load column (figures in $figures)" -f $rows.Count, @($rows | Where-Object Met -EQ 'met').Count, $unmet)
}

function Task-Clean {
    # Synopsis: Remove out/ (build output, test results, packages).
    Remove-Item $Out -Recurse -Force -ErrorAction Ignore
    Write-Host "Removed $Out"
}

if ($List) {
    Get-ChildItem function:Task-* | ForEach-Object {
        $synopsis = ($_.Definition -split "`n" | Where-Object { $_ -match '# Synopsis:' } | Select-Object -First 1) -replace '.*# Synopsis:\s*', ''
        [pscustomobject]@{ Task = $_.Name -replace '^Task-', ''; Synopsis = $synopsis }
    }
    return
}

Push-Location $Root
try {
    foreach ($name in $Task) { & "Task-$name" }
}
finally {
    Pop-Location
}
