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
    [ValidateSet('Build', 'Help', 'Test', 'Package', 'Demo', 'Bench', 'Clean', 'Pipeline')]
    [string[]] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Runs only the Pester files whose name matches (for a quick loop).
    [string] $PesterFilter = '*',

    # Lists the tasks and their synopses.
    [switch] $List,

    # Test: runs only these parts of the suite (the CI matrix runs one part a cell).
    [ValidateSet('Engine', 'Workflows', 'Parallel', 'Metrics', 'Daemon', 'Dashboard', 'Hermetic', 'Chaos')]
    [string[]] $Component,
    # Test: tests what is already built (out/WorkflowAutomation, out/repository and the test
    # projects: a CI artifact or a pipeline's build step); compiles nothing.
    [switch] $NoBuild,
    # Test: narrows the xunit tests too (a dotnet test --filter expression).
    [string] $XunitFilter,
    # Pipeline: gates of examples/pipeline.yaml approved in advance (deploy_prod), for unattended runs.
    [string[]] $Approve
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
    Restore-DashboardAssets
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
    Copy-DashboardNotices
    Write-Manifest -Formats (Join-FormatFiles)
    Task-Help
    Write-ReleaseMetadata
    Write-Host "Built $ModuleOut"
    Write-Host "Load it in a pwsh session with: Import-Module '$ModuleOut/WorkflowAutomation.psd1'"
}

# --- Dashboard: front-end packages, their licences, and the browser-test tools ---------------
$DashboardWeb = Join-Path $Root 'src/WorkflowAutomation.Engine/Dashboard/web'

$script:AptUpdated = $false
function Invoke-AptInstall([string[]] $Packages) {
    # CI starts on a bare Debian machine as root: what the tests drive comes from apt there,
    # with the package lists read once per build. Elsewhere the tests fail saying how to install.
    if (-not ($IsLinux -and (Get-Command apt-get -ErrorAction Ignore) -and (& id -u) -eq '0')) { return $false }
    Write-Host "Installing $($Packages -join ', ') with apt-get"
    $env:DEBIAN_FRONTEND = 'noninteractive'
    if (-not $script:AptUpdated) { & apt-get update -qq | Out-Null; $script:AptUpdated = $true }
    & apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 @Packages | Out-Null
    $LASTEXITCODE -eq 0
}

function Install-AptPackage([string] $Command, [string[]] $Packages) {
    # True when the command is there, installed now if need be.
    if (Get-Command $Command -ErrorAction Ignore) { return $true }
    $null = Invoke-AptInstall $Packages
    [bool](Get-Command $Command -ErrorAction Ignore)
}

function Restore-DashboardAssets {
    # uPlot, pinned by package-lock.json, embedded into the engine assembly by its csproj.
    if (-not (Install-AptPackage npm @('nodejs', 'npm'))) { throw 'npm is needed to build the dashboard: install Node.js (apt-get install nodejs npm).' }
    Push-Location $DashboardWeb
    try { Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel=error') } finally { Pop-Location }
}

function Copy-DashboardNotices {
    $notices = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'ThirdPartyNotices')
    Copy-Item (Join-Path $DashboardWeb 'node_modules/uplot/LICENSE') (Join-Path $notices 'uPlot.LICENSE.txt')
}

function Initialize-BrowserTests {
    # Headless Chromium (Debian's), Playwright's driver for it, and Prometheus for the scrape test.
    # Missing tools make those tests fail with how to install them; they never skip.
    $null = Install-AptPackage chromium @('chromium', 'chromium-driver', 'fonts-dejavu-core')
    $null = Install-AptPackage prometheus @('prometheus')
    Push-Location (Join-Path $Root 'tests/Browser')
    try { Invoke-Native npm @('ci', '--no-audit', '--no-fund', '--loglevel=error') } finally { Pop-Location }
}
# -----------------------------------------------------------------------------------------------

function Join-FormatFiles {
    # One view file per area in the source; one in the module: PowerShell loads each format
    # file on its own at import, and one file of all the views imports about 3 ms faster.
    $joined = [xml]'<?xml version="1.0" encoding="utf-8"?><Configuration />'
    foreach ($file in Get-ChildItem "$Root/module" -Filter *.Format.ps1xml | Sort-Object Name) {
        foreach ($section in ([xml](Get-Content $file -Raw)).Configuration.ChildNodes | Where-Object NodeType -EQ Element) {
            $target = $joined.DocumentElement.SelectSingleNode($section.Name) ?? $joined.DocumentElement.AppendChild($joined.CreateElement($section.Name))
            foreach ($entry in $section.ChildNodes | Where-Object NodeType -EQ Element) { $null = $target.AppendChild($joined.ImportNode($entry, $true)) }
        }
    }
    $name = 'WorkflowAutomation.Format.ps1xml'
    $joined.Save((Join-Path $ModuleOut $name))
    $name
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

function Install-HermeticTestTools {
    # The hermetic environment tests drive real npm, pip (into a venv) and bubblewrap; a CI
    # machine starts with only the .NET SDK, so as root on Debian they come from apt.
    if ($IsWindows) { return }
    $missing = @()
    if (-not (Get-Command npm -ErrorAction Ignore)) { $missing += 'nodejs', 'npm' }
    if (-not (Get-Command python3 -ErrorAction Ignore)) { $missing += 'python3', 'python3-venv', 'python3-pip' }
    else {
        & python3 -c 'import venv' 2>$null; if ($LASTEXITCODE -ne 0) { $missing += 'python3-venv' }
        & python3 -m pip --version 2>$null | Out-Null; if ($LASTEXITCODE -ne 0) { $missing += 'python3-pip' }
    }
    if (-not (Get-Command bwrap -ErrorAction Ignore)) { $missing += 'bubblewrap' }
    if ($missing.Count -eq 0) { return }
    if (-not (Invoke-AptInstall $missing)) {
        Write-Warning "The hermetic tests need $($missing -join ', '): install them (they fail, saying so, without them)."
    }
}

function Task-Test {
    # Synopsis: Build and package, then run xunit and Pester (or one -Component); end with one line 'N passed, N failed'.
    Install-HermeticTestTools
    if (-not $NoBuild) {
        Task-Build
        Task-Package
    }
    Initialize-ChaosTestTools
    $selection = Select-TestRun
    $results = $selection.ResultsPath
    Remove-Item $results -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Force $results | Out-Null

    $xunitFailedToRun = $false
    foreach ($run in $selection.Xunit) {
        & dotnet test $run.Project @($run.Arguments) -c $Configuration --nologo --logger "trx;LogFileName=$($run.Name).trx" --logger 'console;verbosity=minimal' --results-directory $results
        if ($LASTEXITCODE -ne 0) { $xunitFailedToRun = $true }
    }
    $xunit = @{ Passed = 0; Failed = 0 }
    $failedNames = [System.Collections.Generic.List[string]]::new()
    foreach ($trx in Get-ChildItem $results -Filter *.trx) {
        $testRun = ([xml](Get-Content $trx -Raw)).TestRun
        $testRun.Results.UnitTestResult | Where-Object outcome -notin 'Passed', 'NotExecuted' | ForEach-Object { $failedNames.Add("xunit: $($_.testName)") }
        $counters = $testRun.ResultSummary.Counters
        $xunit.Passed += [int]$counters.passed
        $xunit.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    if ($xunitFailedToRun -and $xunit.Failed -eq 0) { $xunit.Failed = 1; Write-Warning 'dotnet test failed without a failing test (build or host failure).' }

    $pester = [pscustomobject]@{ Passed = 0; Failed = 0 }
    if ($selection.PesterFilter) {
        # The browser tests' tools, when the selection includes them.
        if ('DashboardBrowser' -like $selection.PesterFilter) { Initialize-BrowserTests }
        $pesterSummary = Join-Path $results 'pester.json'
        # Passed through the environment: pwsh would expand a bare '*' argument into file names.
        $env:WORKFLOW_AUTOMATION_PESTER_FILTER = $selection.PesterFilter
        & $Pwsh -NoProfile -NonInteractive -File "$Root/tests/Pester/Invoke-PesterSuite.ps1" -ModulePath $ModuleOut -PesterPath (Get-PesterPath) -SummaryPath $pesterSummary
        $pester = if (Test-Path $pesterSummary) { Get-Content $pesterSummary -Raw | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1 } }
        $pester.FailedNames | Where-Object { $_ } | ForEach-Object { $failedNames.Add("Pester: $_") }
    }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed + $selection.Problems.Count
    $selection.Problems | ForEach-Object { Write-Host "FAILED: $_" }
    $failedNames | ForEach-Object { Write-Host "FAILED $_" }
    if ($passed + $failed -eq 0) { Write-Host 'FAILED: the selection ran no test.'; $failed = 1 }
    Write-Host "xunit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.Passed) passed, $($pester.Failed) failed"
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Get-PesterPath {
    # Pester comes from NuGet through a restore (PackageDownload), never from a gallery.
    $cache = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $psd1 = Join-Path $cache.Trim() 'pester/5.7.1/tools/Pester.psd1'
    # Restored once: parallel test runs (the pipeline's component steps) must not restore at the same time.
    if (-not (Test-Path $psd1)) { Invoke-Native dotnet @('restore', "$Root/tests/Pester/PesterRestore.proj", '--nologo', '-v', 'quiet') }
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

# --- Chaos: the tools its tests drive -------------------
function Initialize-ChaosTestTools {
    # Headless Chromium screenshots chaos reports; iproute2 (ip, tc) builds network namespaces;
    # stress-ng is the CPU fault's load when present (its test needs it).
    # Installed as root on CI; elsewhere the tests fail saying how to install them.
    $null = Install-AptPackage chromium @('chromium', 'fonts-dejavu-core')
    $null = Install-AptPackage tc @('iproute2')
    $null = Install-AptPackage stress-ng @('stress-ng')
}

# -----------------------------------------------------------------------------------------------

function Task-Clean {
    # Synopsis: Remove out/ (build output, test results, packages).
    Remove-Item $Out -Recurse -Force -ErrorAction Ignore
    Write-Host "Removed $Out"
}

# --- Test parts, release metadata and the local pipeline (Test -Component, Build, Pipeline) ---

function Select-TestRun {
    # What a Test runs: every test project and Pester file, or the parts -Component names (tests/Components.psd1).
    $noBuild = @(if ($NoBuild) { '--no-build' })
    $problems = [System.Collections.Generic.List[string]]::new()
    $withFilter = {
        param([string[]] $clauses)
        $all = @($clauses | Where-Object { $_ }) + @(if ($XunitFilter) { $XunitFilter })
        if ($all) { '--filter', (($all | ForEach-Object { "($_)" }) -join '&') }
    }
    if (-not $Component) {
        $xunit = Get-ChildItem "$Root/tests" -Recurse -Filter '*.Tests.csproj' | ForEach-Object {
            @{ Project = $_.FullName; Name = $_.BaseName; Arguments = $noBuild + @(& $withFilter @()) }
        }
        return [pscustomobject]@{ ResultsPath = Join-Path $Out 'test-results'; Xunit = @($xunit); PesterFilter = $PesterFilter; Problems = $problems }
    }
    # WORKFLOW_AUTOMATION_TEST_COMPONENTS names another parts file (the suite checks an empty part with it).
    $parts = Import-PowerShellDataFile ($env:WORKFLOW_AUTOMATION_TEST_COMPONENTS ?? "$Root/tests/Components.psd1")
    $folders = [System.Collections.Generic.List[string]]::new()
    $pesterFiles = [System.Collections.Generic.List[string]]::new()
    $hosted = $false
    foreach ($name in $Component) {
        $part = $parts[$name]
        $present = @($part.Xunit | Where-Object { Get-ChildItem "$Root/tests/WorkflowAutomation.Engine.Tests/$_" -Recurse -Filter *.cs -ErrorAction Ignore })
        $files = @($part.Pester | ForEach-Object { Get-ChildItem "$Root/tests/Pester" -Filter "$_*.Tests.ps1" } | ForEach-Object Name)
        if (-not $present -and -not $files -and -not $part['Hosted']) {
            $problems.Add("component $name has no tests yet (no tests/WorkflowAutomation.Engine.Tests/$($part.Xunit -join '|')/*.cs, no tests/Pester/$($part.Pester -join '|')*.Tests.ps1).")
        }
        $present | ForEach-Object { $folders.Add($_) }
        $files | Where-Object { $_ -like "$PesterFilter.Tests.ps1" } | ForEach-Object { $pesterFiles.Add(($_ -replace '\.Tests\.ps1$', '')) }
        $hosted = $hosted -or [bool]$part['Hosted']
    }
    $xunit = @()
    if ($folders.Count) {
        # Namespaces end in .Tests.<Folder> (WorkflowAutomation.Tests.Daemon, WorkflowAutomation.Engine.Tests.Architecture);
        # the trailing dot keeps 'Daemon' from matching a namespace 'DaemonX'.
        $namespaces = ($folders | ForEach-Object { "FullyQualifiedName~.Tests.$_." }) -join '|'
        $xunit += @{ Project = "$Root/tests/WorkflowAutomation.Engine.Tests"; Name = 'WorkflowAutomation.Engine.Tests'; Arguments = $noBuild + @(& $withFilter $namespaces) }
    }
    if ($hosted) {
        $xunit += @{ Project = "$Root/tests/WorkflowAutomation.PowerShell.Tests"; Name = 'WorkflowAutomation.PowerShell.Tests'; Arguments = $noBuild + @(& $withFilter @()) }
    }
    [pscustomobject]@{
        # WORKFLOW_AUTOMATION_TEST_RESULTS: a pipeline keeps its parts' results in its own folder.
        ResultsPath  = $env:WORKFLOW_AUTOMATION_TEST_RESULTS ?? (Join-Path $Out "test-results/$($Component -join '-')")
        Xunit        = $xunit
        PesterFilter = ($pesterFiles | Sort-Object -Unique) -join ','
        Problems     = $problems
    }
}

function Task-Pipeline {
    # Synopsis: Run examples/pipeline.yaml: build, test each part, package, deploy to dev/staging/prod feeds in out/pipeline.
    if (-not (Test-Path (Join-Path $ModuleOut 'WorkflowAutomation.psd1'))) { Task-Build }
    # The pipeline rebuilds out/WorkflowAutomation, so it runs from a copy of the module.
    $runner = Join-Path $Out 'pipeline/runner'
    Remove-Item $runner -Recurse -Force -ErrorAction Ignore
    New-Item -ItemType Directory -Force $runner | Out-Null
    Copy-Item $ModuleOut $runner -Recurse
    # Not -NonInteractive: in a console the approval gate before prod asks.
    $approvals = @(if ($Approve) { '-Approve'; $Approve -join ',' })
    & $Pwsh -NoProfile -File "$Root/tools/release/Invoke-Pipeline.ps1" -ModulePath (Join-Path $runner 'WorkflowAutomation') -WorkPath (Join-Path $Out 'pipeline') @approvals
    if ($LASTEXITCODE -ne 0) { throw 'The pipeline did not succeed.' }
}

function Get-ReleaseVersion {
    # version.txt: the one version source, such as 1.2.0 or 1.2.0-rc1 (a prerelease label of letters and digits).
    $text = (Get-Content "$Root/version.txt" -Raw).Trim()
    if ($text -notmatch '^(?<version>\d+\.\d+\.\d+)(-(?<label>[A-Za-z][A-Za-z0-9]*))?$') {
        throw "version.txt: '$text' is not a version such as 1.2.0 or 1.2.0-rc1 (a prerelease label of letters and digits only, as PowerShell galleries require)."
    }
    [pscustomobject]@{ Text = $text; Version = $Matches.version; Prerelease = $Matches['label'] }
}

function Get-ReleaseNote([string] $Version) {
    # The CHANGELOG.md section of a version (Keep a Changelog: '## [1.2.0] - 2026-12-01').
    $lines = Get-Content "$Root/CHANGELOG.md"
    $start = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match "^## \[$([regex]::Escape($Version))\]" })
    if ($start -lt 0) { throw "CHANGELOG.md has no section '## [$Version] - <date>': add one for the version in version.txt." }
    $body = $lines[($start + 1)..($lines.Count - 1)]
    $end = [array]::FindIndex([string[]]$body, [Predicate[string]] { param($l) $l -match '^## |^\[[^\]]+\]:' })
    (($end -lt 0 ? $body : $body[0..([Math]::Max(0, $end - 1))]) -join "`n").Trim()
}

function Write-ReleaseMetadata {
    # Stamps version.txt, its changelog section and the file list into the built manifest; ships the licence.
    $release = Get-ReleaseVersion
    Copy-Item "$Root/LICENSE" $ModuleOut
    $manifest = Join-Path $ModuleOut 'WorkflowAutomation.psd1'
    $notes = (Get-ReleaseNote $release.Version) -replace "'", "''"
    # Every file the package carries, so a stray file shows as unlisted (Test-GalleryReadiness.ps1).
    $files = Get-ChildItem $ModuleOut -Recurse -File | ForEach-Object { [IO.Path]::GetRelativePath($ModuleOut, $_.FullName) -replace '\\', '/' } |
        Sort-Object
    $fileList = "    FileList             = @(`n$(($files | ForEach-Object { "        '$_'" }) -join ",`n")`n    )`n    PrivateData"
    $prerelease = $release.Prerelease ? "            Prerelease   = '$($release.Prerelease)'`n" : ''
    (Get-Content $manifest -Raw) `
        -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$($release.Version)'" `
        -replace "ReleaseNotes\s*=\s*''", "ReleaseNotes = '$($notes -replace '\$', '$$$$')'" `
        -replace "(?m)^\s*Prerelease\s*=\s*''\r?\n", $prerelease `
        -replace '(?m)^    PrivateData', ($fileList -replace '\$', '$$$$') |
        Set-Content $manifest
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
