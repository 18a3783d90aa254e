# The dashboard as its users meet it: a detached daemon started as the README says, a real
# headless Chromium driven through the pages, scripts with the bearer token, and a real
# Prometheus scraping /metrics. Missing tools fail the tests with how to install them.
BeforeDiscovery {
    $script:browserChecks = @(
        'wrong token is refused', 'token leaves the address bar', 'session cookie is HttpOnly and SameSite=Strict',
        'overview lists the run waiting for approval', 'a run appears in the history', 'the DAG shows step states', 'edges are drawn',
        'output is shown as text, never as HTML', 'approving the gate from the page lets the run finish',
        'a live step change appears within 1 s without reload', 'system charts paint', 'performance charts paint', 'metrics-explorer charts paint',
        'the chaos section says it has no results yet', 'breakers list the open breaker with a reset button',
        'a lost connection is said', 'and it reconnects', 'keyboard reaches the skip link first',
        'a phone reads the history without sideways scrolling', 'no console errors', 'no CSP violations'
    ) | ForEach-Object { @{ Check = $_ } }
}

BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:repo = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:browserFolder = Join-Path $script:repo 'tests/Browser'
    $script:saved = @{}
    foreach ($pair in @{ AUTO_RESTART_MAX_PER_HOUR = '0'; CIRCUIT_BREAKER_THRESHOLD = '2'; METRICS_INTERVAL = '1' }.GetEnumerator()) {
        $script:saved[$pair.Key] = [Environment]::GetEnvironmentVariable($pair.Key)
        [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value)
    }
    function New-Workflow([string] $Name, [string] $Yaml) {
        $path = Join-Path $script:stateHome "$Name.yaml"
        Set-Content -Path $path -Value $Yaml
        $path
    }
    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 20, [string] $What) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $What." }
            Start-Sleep -Milliseconds 100
        }
    }

    $script:port = Get-FreePort
    Start-WorkflowDaemon -DashboardPort $script:port | Out-Null
    $script:token = (Get-Content (Join-Path $script:stateHome 'daemon/token') -Raw).Trim()
    $script:base = "http://127.0.0.1:$script:port"
    $script:auth = @{ Authorization = "Bearer $script:token" }

    $gate = New-Workflow gate @'
name: gated_release
execution_mode: parallel
steps:
  - name: build
    shell: sh
    command: echo "building <b id=injected>x</b>"
  - name: test
    shell: sh
    command: echo tested
    depends_on: [build]
  - name: deploy
    shell: sh
    command: echo deployed
    depends_on: [test]
    approval_required: true
'@
    $live = New-Workflow live @'
name: live_change
inputs:
  signal: { type: string, required: true }
steps:
  - name: wait
    shell: sh
    command: while [ ! -f '${{ inputs.signal }}' ]; do sleep 0.05; done; echo released
  - name: after
    shell: sh
    command: echo after
    depends_on: [wait]
'@
    $flaky = New-Workflow flaky @'
name: flaky
steps:
  - name: fail
    shell: sh
    command: echo failing >&2; exit 3
'@
    $quick = New-Workflow quick @'
name: quick_session
steps:
  - name: one
    shell: sh
    command: echo one
'@
    $script:signal = Join-Path $script:stateHome 'signal'
    $script:gateRun = Submit-Workflow -Path $gate
    $script:liveRun = Submit-Workflow -Path $live -Parameter @{ signal = $script:signal }
    $script:flakyRuns = 1..3 | ForEach-Object { Submit-Workflow -Path $flaky }
    $script:sessionRun = Invoke-Workflow -Path $quick
    Wait-Until { (Get-WorkflowRun -Id $script:gateRun.Id).Status -eq 'WaitingForApproval' } -What 'the gate'
    Wait-Until { (Get-WorkflowRun -Id $script:liveRun.Id).Steps[0].Status -eq 'Running' } -What 'the live step'
    Wait-Until { @(Get-CircuitBreaker | Where-Object State -eq 'Open').Count -gt 0 } -What 'an open breaker'
    # System charts need a few one-second samples.
    Wait-Until { @(Get-WorkflowMetric -Name system.cpu.usage -Start (Get-Date).AddMinutes(-5) -ErrorAction SilentlyContinue).Count -ge 3 } -What 'system samples' -Seconds 60
}

AfterAll {
    Stop-WorkflowDaemon -Force -ErrorAction Ignore
    foreach ($name in $script:saved.Keys) { [Environment]::SetEnvironmentVariable($name, $script:saved[$name]) }
}

Describe 'The daemon serves its dashboard' {
    It 'Get-WorkflowDaemon shows the dashboard URL and Open-WorkflowDashboard writes it with the token' {
        (Get-WorkflowDaemon).DashboardUrl | Should -Be "$script:base/"
        Open-WorkflowDashboard -NoBrowser | Should -Be "$script:base/?token=$script:token"
        Open-WorkflowDashboard -RunId $script:gateRun.Id -NoBrowser | Should -Be "$script:base/runs/$($script:gateRun.Id)?token=$script:token"
    }

    It 'answers scripts with the bearer token, as the README shows' {
        $failed = Invoke-RestMethod "$script:base/api/runs?status=Failed" -Headers $script:auth
        $failed.total | Should -Be 3
        $failed.runs.name | Should -Be @('flaky', 'flaky', 'flaky')
        (Invoke-RestMethod "$script:base/api/runs/$($script:gateRun.Id)" -Headers $script:auth).graph.edges.Count | Should -Be 2
        $refused = { Invoke-RestMethod "$script:base/api/runs" } | Should -Throw -PassThru
        $refused.Exception.Response.StatusCode | Should -Be 'Unauthorized'
        $refused.ErrorDetails.Message | Should -BeLike '*DashboardTokenRequired*'
    }

    It 'cancels a running run and restarts a failed one from its failed step, as the cmdlets do' {
        $slow = Submit-Workflow -Path (New-Workflow slow "name: slow`nsteps:`n  - name: sleep`n    shell: sh`n    command: sleep 30`n")
        Wait-Until { (Get-WorkflowRun -Id $slow.Id).Status -eq 'Running' } -What 'the slow run'
        (Invoke-RestMethod "$script:base/api/runs/$($slow.Id)/cancel" -Method Post -Headers $script:auth).id | Should -Be $slow.Id
        Wait-Until { (Get-WorkflowRun -Id $slow.Id).Status -eq 'Cancelled' } -What 'the cancelled run'
        $failed = $script:flakyRuns[0]
        $restarted = Invoke-RestMethod "$script:base/api/runs/$($failed.Id)/restart" -Method Post -Headers $script:auth
        $restarted.id | Should -Not -Be $failed.Id
        $restarted.restartOf | Should -Be $failed.Id
        Wait-Until { (Get-WorkflowRun -Id $restarted.id).Status -eq 'Failed' } -What 'the restarted run to end'
        $again = { Invoke-RestMethod "$script:base/api/runs/$($slow.Id)/cancel" -Method Post -Headers $script:auth } | Should -Throw -PassThru
        $again.ErrorDetails.Message | Should -BeLike '*RunNotActive*'
    }

    It 'records the durations of a run started in this session for the Performance page' {
        $performance = Invoke-RestMethod "$script:base/api/performance?range=1h" -Headers $script:auth
        $row = $performance.workflows | Where-Object workflow -eq 'quick_session'
        $row.runs | Should -Be 1
        $row.p50Seconds | Should -BeGreaterThan 0
        ($performance.steps | Where-Object workflow -eq 'quick_session').step | Should -Be 'one'
    }

    It 'is refused by a second daemon-less port holder with a clear error naming the port' {
        $holder = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $holder.Start()
        try {
            $busy = $holder.LocalEndpoint.Port
            $otherHome = New-TestStateDirectory
            try {
                $job = Start-WorkflowDaemon -DashboardPort $busy -AsJob
                $status = Get-WorkflowDaemon
                $status.Health | Should -Be 'Degraded'
                ($status.HealthReasons -join ' ') | Should -BeLike "*Dashboard*127.0.0.1:$busy*"
                { Open-WorkflowDashboard -NoBrowser -ErrorAction Stop } | Should -Throw -ExpectedMessage "*not listening on port $busy*"
                Stop-Job $job; Remove-Job $job
            }
            finally { $env:WORKFLOW_AUTOMATION_HOME = $script:stateHome }
        }
        finally { $holder.Stop() }
    }
}

Describe 'In a real browser' {
    BeforeAll {
        $chromium = Get-Command chromium -ErrorAction Ignore
        $driver = Join-Path $script:browserFolder 'node_modules/playwright-core'
        if (-not $chromium -or -not (Get-Command node -ErrorAction Ignore) -or -not (Test-Path $driver)) {
            throw "The browser tests need Debian's chromium and chromium-driver, Node.js and playwright-core: run as root 'apt-get install chromium chromium-driver nodejs npm' and 'npm ci' in tests/Browser (./build.ps1 Test does both)."
        }
        $screenshots = Join-Path $script:repo 'out/test-results/screenshots'
        $config = Join-Path $script:stateHome 'browser.json'
        $results = Join-Path $script:stateHome 'browser-results.json'
        @{
            base = $script:base; token = $script:token; chromium = $chromium.Source
            runs = @{ gate = $script:gateRun.Id; live = $script:liveRun.Id }
            signalFile = $script:signal; screenshots = $screenshots; results = $results
            # The page must notice the daemon going away and come back by itself.
            restart = @{
                file = Join-Path $PSHOME 'pwsh'
                args = @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Restart-WorkflowDaemon -DashboardPort $script:port | Out-Null")
            }
        } | ConvertTo-Json -Depth 5 | Set-Content $config
        $output = & node (Join-Path $script:browserFolder 'dashboard.browser.mjs') $config 2>&1
        $script:checks = if (Test-Path $results) { (Get-Content $results -Raw | ConvertFrom-Json).checks } else { @() }
        $script:browserOutput = $output -join "`n"
    }

    It '<Check>' -ForEach $browserChecks {
        $found = $script:checks | Where-Object name -eq $Check
        $broke = $script:checks | Where-Object { -not $_.ok -and $_.name -eq 'the browser script ran to the end' }
        $found | Should -Not -BeNullOrEmpty -Because "the browser script must reach this check ($($broke.detail) $script:browserOutput)"
        $found.ok | Should -BeTrue -Because $found.detail
    }
}

Describe 'Scraped by a real Prometheus' {
    BeforeAll {
        foreach ($tool in 'prometheus', 'promtool') {
            if (-not (Get-Command $tool -ErrorAction Ignore)) { throw "The Prometheus test needs Debian's prometheus package: run as root 'apt-get install prometheus' (./build.ps1 Test does)." }
        }
        $script:exposition = Invoke-RestMethod "$script:base/metrics" -Headers $script:auth
    }

    It 'serves /metrics that promtool check metrics finds clean' {
        $lint = $script:exposition | & promtool check metrics 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($lint -join "`n")
        $lint | Should -BeNullOrEmpty
        $script:exposition | Should -Match '(?m)^workflow_runs_total\{'
        $script:exposition | Should -Match '(?m)^daemon_breaker_open\{'
        $script:exposition | Should -Match '(?m)^system_cpu_usage '
    }

    It 'is scraped with the token from credentials_file and a workflow series comes back through its API' {
        $folder = New-Item -ItemType Directory (Join-Path $script:stateHome 'prometheus')
        $promPort = Get-FreePort
        @"
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: workflowautomation
    static_configs: [{ targets: ['127.0.0.1:$script:port'] }]
    authorization:
      credentials_file: $(Join-Path $script:stateHome 'daemon/token')
"@ | Set-Content (Join-Path $folder 'prometheus.yml')
        $process = Start-Process prometheus -PassThru -RedirectStandardError (Join-Path $folder 'stderr.log') -RedirectStandardOutput (Join-Path $folder 'stdout.log') -ArgumentList @(
            "--config.file=$(Join-Path $folder 'prometheus.yml')", "--storage.tsdb.path=$(Join-Path $folder 'data')",
            "--web.listen-address=127.0.0.1:$promPort")
        try {
            $query = "http://127.0.0.1:$promPort/api/v1/query?query=" + [uri]::EscapeDataString('workflow_runs_total{workflow="flaky"}')
            $answer = $null
            $deadline = [DateTime]::UtcNow.AddSeconds(40)
            while ([DateTime]::UtcNow -lt $deadline) {
                $answer = try { Invoke-RestMethod $query } catch { $null }
                if ($answer.data.result.Count -gt 0) { break }
                Start-Sleep -Milliseconds 250
            }
            $answer.data.result.Count | Should -BeGreaterThan 0 -Because (Get-Content (Join-Path $folder 'stderr.log') -Tail 5 -ErrorAction Ignore)
            $answer.data.result[0].metric.status | Should -Be 'Failed'
            [double]$answer.data.result[0].value[1] | Should -BeGreaterOrEqual 3
            $up = Invoke-RestMethod ("http://127.0.0.1:$promPort/api/v1/query?query=" + [uri]::EscapeDataString('up{job="workflowautomation"}'))
            $up.data.result[0].value[1] | Should -Be '1'
        }
        finally {
            Stop-Process -Id $process.Id -Force -ErrorAction Ignore
        }
    }
}
