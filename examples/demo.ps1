<#
.SYNOPSIS
    The main job, in a fresh state directory of its own: the example workflows validated,
    drawn and run; a parallel batch; metrics piped into other cmdlets; the daemon with its
    dashboard; a hermetic environment; a chaos experiment with its report.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1')

function Write-Section([string] $Title) { Write-Host "`n== $Title" -ForegroundColor Cyan }

# A state directory of the demo's own, so it never touches the user's real one.
$env:WORKFLOW_AUTOMATION_HOME = Join-Path $ModulePath '../demo-state'
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
$examples = Get-ChildItem $PSScriptRoot -Filter *.yaml | Sort-Object Name

Write-Section 'Initialize-WorkflowFramework'
Initialize-WorkflowFramework | Format-Table -AutoSize | Out-Host

Write-Section 'Test-WorkflowDefinition: the example workflows'
$examples | ForEach-Object {
    [pscustomobject]@{ Workflow = $_.Name; Valid = Test-WorkflowDefinition -LiteralPath $_.FullName }
} | Format-Table -AutoSize | Out-Host
if ($examples | Test-WorkflowDefinition | Where-Object { -not $_ }) { throw 'An example workflow is invalid.' }

Write-Section 'Import-WorkflowDefinition'
$definitions = $examples | Import-WorkflowDefinition
$definitions | Format-Table -AutoSize | Out-Host
foreach ($definition in $definitions) {
    Write-Host "Steps of $($definition.Name):"
    $definition.Steps | Format-Table -AutoSize | Out-Host
}

Write-Section 'Test-WorkflowDefinition -Detailed: a broken workflow, every problem at once'
$broken = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'workflows/broken.yaml'
Set-Content -Path $broken -Value @'
name: broken
execution_mode: paralel
steps:
  - name: build
    command: make
    timeout: -1
  - name: test
    comand: make test
    depends_on: [biuld, deploy]
  - name: deploy
    command: echo ${{ inputs.version }}
    depends_on: [test]
'@
Test-WorkflowDefinition $broken -Detailed | Format-Table -AutoSize -Wrap | Out-Host

Write-Section 'Export-WorkflowGraph -Format Mermaid'
foreach ($definition in $definitions) {
    Write-Host "-- $($definition.Name)"
    $definition | Export-WorkflowGraph -Format Mermaid | Out-Host
}

Write-Section 'Get-WorkflowConfiguration'
Get-WorkflowConfiguration | Format-Table -AutoSize | Out-Host

Write-Section 'Invoke-Workflow: the deployment workflow end to end (its approval gate pre-approved)'
# The demo's workspace lives in the demo state (the example's default is the temporary folder).
$workspace = New-Item -ItemType Directory -Force (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'demo-workspace')
$deployment = Join-Path $PSScriptRoot 'deployment_workflow.yaml'
$first = Invoke-Workflow -Path $deployment -Parameter @{ version = '2.0'; workspace = $workspace.FullName } -Approve deploy
$second = Invoke-Workflow -Path $deployment -Parameter @{ version = '2.1'; workspace = $workspace.FullName } -Approve deploy
if ($first.Status -ne 'Succeeded' -or $second.Status -ne 'Succeeded') { throw 'The deployment workflow did not succeed.' }
$second | Format-Table | Out-Host

Write-Section "The steps of run $($second.Id)"
$second.Steps | Format-Table | Out-Host

Write-Section 'Get-WorkflowRunLog: what the deploy step wrote'
Get-WorkflowRunLog -Id $second.Id -Step deploy | Format-Table | Out-Host

Write-Section 'Without -Approve, a run nobody can answer (here a job) stops at the gate with a clear error'
$gated = Invoke-Workflow -Path $deployment -Parameter @{ version = '2.2'; workspace = $workspace.FullName } -AsJob |
    Receive-Job -Wait -AutoRemoveJob -ErrorAction SilentlyContinue -ErrorVariable gateError
Write-Host "Status: $($gated.Status); error $($gateError[0].FullyQualifiedErrorId): $($gateError[0].Exception.Message)"

Write-Section 'Get-WorkflowRun: the history'
Get-WorkflowRun | Format-Table | Out-Host

Write-Section 'Invoke-ParallelBatch: a prioritised batch file (priority:command, 1 runs first)'
$batch = Join-Path $env:WORKFLOW_AUTOMATION_HOME 'nightly.batch'
Set-Content -Path $batch -Value @(
    '# priority:command'
    '1:echo compile'
    '2:sh -c "sleep 0.2; echo unit tests"'
    '2:sh -c "sleep 0.2; echo lint"'
    '5:echo package'
    '9:sh -c "echo flaky >&2; exit 3"'
)
Invoke-ParallelBatch -Path $batch -ThrottleLimit 2 -ErrorAction SilentlyContinue | Format-Table | Out-Host

Write-Section 'Invoke-ParallelBatch -ScriptBlock: outputs in input order, like ForEach-Object -Parallel'
(1..10 | Invoke-ParallelBatch -ScriptBlock { $_ * $_ }) -join ', ' | Out-Host

Write-Section 'Metrics: record, query and pipe into other cmdlets'
$now = [DateTimeOffset]::UtcNow
0..59 | ForEach-Object {
    [pscustomobject]@{ Name = 'demo.latency_ms'; Value = 40 + 10 * [math]::Sin($_ / 6); Timestamp = $now.AddSeconds($_ - 60); Tags = 'service=api' }
} | Write-WorkflowMetric
Get-WorkflowMetric -Name demo.latency_ms -Start $now.AddMinutes(-2).LocalDateTime | Measure-Object Value -Average -Minimum -Maximum |
    Select-Object Count, Average, Minimum, Maximum | Format-Table | Out-Host
Get-WorkflowMetric -ListAvailable | Format-Table | Out-Host
Export-WorkflowMetric -Format Prometheus -Name demo.latency_ms | Out-Host

Write-Section 'The daemon: a queued run, its dashboard, and the API a script uses'
# A free loopback port, so the demo never collides with a dashboard already on 8080.
$probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $probe.Start()
$port = $probe.LocalEndpoint.Port; $probe.Stop()
Start-WorkflowDaemon -DashboardPort $port | Format-Table State, ProcessId, Health, DashboardUrl | Out-Host
try {
    $queued = Submit-Workflow -Path $deployment -Parameter @{ version = '3.0'; workspace = $workspace.FullName }
    Write-Host "Submitted run $($queued.Id) ($($queued.Status)); the gate is answered from here, as the dashboard's button would."
    $deadline = (Get-Date).AddSeconds(30)
    while ((Get-WorkflowRun -Id $queued.Id).Status -ne 'WaitingForApproval' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
    Approve-WorkflowStep -RunId $queued.Id -Step deploy -Reason 'demo' | Format-Table RunId, Name, Status | Out-Host
    Wait-WorkflowRun -Id $queued.Id -Timeout 60 | Format-Table | Out-Host
    $daemon = Get-WorkflowDaemon
    Write-Host "Dashboard: $($daemon.DashboardUrl) (Open-WorkflowDashboard opens it signed in)"
    $auth = @{ Authorization = 'Bearer ' + (Get-Content (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'daemon/token') -Raw).Trim() }
    $api = "http://127.0.0.1:$port/api"
    (Invoke-RestMethod "$api/runs?limit=5" -Headers $auth).runs | Select-Object id, name, status | Format-Table | Out-Host
    (Invoke-RestMethod "http://127.0.0.1:$port/metrics" -Headers $auth) -split "`n" | Where-Object { $_ -like 'workflow_*' } | Select-Object -First 5 | Out-Host
}
finally {
    Stop-WorkflowDaemon -GracePeriod 5
}

Write-Section 'Hermetic environments: a PowerShell module pinned by sha512, installed offline'
$scratch = New-Item -ItemType Directory -Force (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'demo-hermetic')
$module = New-Item -ItemType Directory (Join-Path $scratch 'Greeting')
Set-Content (Join-Path $module 'Greeting.psm1') 'function Get-Greeting { "hello from a locked module" }'
New-ModuleManifest (Join-Path $module 'Greeting.psd1') -RootModule Greeting.psm1 -ModuleVersion 1.0.0 -FunctionsToExport Get-Greeting -Author demo -Description 'A module for the demo'
$repository = New-Item -ItemType Directory (Join-Path $scratch 'repository')
Compress-PSResource -Path $module -DestinationPath $repository
New-HermeticEnvironment -Name demo -Path (Join-Path $scratch 'project') | Out-Null
Install-HermeticPackage demo -Manager psmodule -Name Greeting -Source $repository.FullName | Out-Null
Lock-HermeticEnvironment demo | Out-Null
Get-HermeticEnvironment demo | Format-List Name, Packages, TreePath | Out-Host
Write-Host "Drift after install: $(@(Test-HermeticEnvironment demo).Count) (none: the tree is exactly the lock)"
Invoke-HermeticCommand demo -ScriptBlock { Import-Module Greeting; Get-Greeting } | Out-Host

Write-Section 'Chaos: a declared experiment in a scratch state folder, and its report'
$env:CHAOS_ENABLED = 'true'
$chaos = New-Item -ItemType Directory -Force (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'demo-chaos')
Set-Content (Join-Path $chaos 'ledger.txt') 'balance=100'
Set-Content (Join-Path $chaos 'audit.yaml') @'
name: audit
steps:
  - name: check
    shell: sh
    command: grep -q '^balance=100$' ledger.txt
'@
Set-Content (Join-Path $chaos 'experiment.yaml') @'
title: The ledger survives a corruption that is rolled back
steady_state_hypothesis:
  title: The audit workflow passes
  probes:
    - name: audit passes
      workflow: { path: audit.yaml, expect: Succeeded }
method:
  - fault: { type: corruption, path: ledger.txt, bytes: 4, duration: 2s }
    background: true
  - pause: 300ms
  - probe:
      name: the audit notices the corruption
      workflow: { path: audit.yaml, expect: Failed }
'@
Push-Location $chaos
try {
    $report = Join-Path $chaos 'report.html'
    Invoke-ChaosTest -Experiment (Join-Path $chaos 'experiment.yaml') -Force -ReportPath $report |
        Format-List Name, Verdict, Message, Reverted | Out-Host
    Write-Host "Report: $report"
    Write-Host "Ledger after the rollback: $(Get-Content (Join-Path $chaos 'ledger.txt'))"
}
finally {
    Pop-Location
    Remove-Item Env:CHAOS_ENABLED
}
