# Declared experiments, the Chaos Toolkit model: hypothesis before and after, method, rollbacks that always run, safeguards.
BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:scratch = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ("wa-chaos-" + [guid]::NewGuid().ToString('n')))).FullName
    $env:CHAOS_ENABLED = 'true'
    $script:data = Join-Path $script:scratch 'data.bin'
    [IO.File]::WriteAllBytes($script:data, [byte[]](1..255 * 40))
    $script:hash = (Get-FileHash $script:data).Hash
    Set-Content (Join-Path $script:scratch 'check.yaml') @"
name: integrity
steps:
  - name: verify
    shell: sh
    command: test "`$(sha256sum data.bin | cut -c1-64 | tr a-f A-F)" = "$($script:hash)"
"@
}

AfterAll {
    Remove-Item Env:CHAOS_ENABLED -ErrorAction Ignore
    Remove-Item $script:scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Experiments' {
    It 'runs the hypothesis, the fault and the rollbacks, and passes when the steady state holds after' {
        $file = Join-Path $script:scratch 'ok.yaml'
        Set-Content $file @"
title: Data survives a corruption that is rolled back
steady_state_hypothesis:
  title: The data is intact
  probes:
    - name: integrity workflow
      workflow: { path: check.yaml, expect: Succeeded }
    - name: data readable
      command: { run: 'cat data.bin > /dev/null && echo readable', output_matches: readable }
method:
  - fault: { type: corruption, path: data.bin, bytes: 8, duration: 3s }
    background: true
  - pause: 500ms
  - probe:
      name: corrupted meanwhile
      workflow: { path: check.yaml, expect: Failed }
rollbacks:
  - name: mark rolled back
    run: touch '$script:scratch/rolled-back'
"@
        Push-Location $script:scratch
        try { $result = Invoke-ChaosTest -Experiment $file -Force -ReportPath (Join-Path $script:scratch 'report.html') }
        finally { Pop-Location }
        $result.Type | Should -Be Experiment
        $result.Verdict | Should -Be Passed
        $result.HypothesisBefore.Ok | Should -Be @($true, $true)
        $result.HypothesisAfter.Ok | Should -Be @($true, $true)
        ($result.Events | Where-Object Name -eq 'corrupted meanwhile').Ok | Should -BeTrue
        ($result.Events | Where-Object Kind -eq 'Rollback').Ok | Should -BeTrue
        Test-Path (Join-Path $script:scratch 'rolled-back') | Should -BeTrue
        (Get-FileHash $script:data).Hash | Should -Be $script:hash
        (Get-WorkflowRun -Name integrity).Count | Should -Be 3
        (Get-ChaosResult -Type Experiment -First 1).Id | Should -Be $result.Id
    }

    It 'fails when the system deviates from its steady state, and still runs the rollbacks' {
        $file = Join-Path $script:scratch 'deviates.yaml'
        Remove-Item (Join-Path $script:scratch 'rolled-back') -ErrorAction Ignore
        Set-Content $file @"
title: A marker file is lost
steady_state_hypothesis:
  probes:
    - name: marker present
      command: { run: 'test -f "$script:scratch/marker"' }
method:
  - action: { name: remove the marker, run: 'rm -f "$script:scratch/marker"' }
rollbacks:
  - { name: mark rolled back, run: 'touch "$script:scratch/rolled-back"' }
"@
        New-Item (Join-Path $script:scratch 'marker') -ItemType File | Out-Null
        $result = Invoke-ChaosTest -Experiment $file -Force -ErrorAction SilentlyContinue -ErrorVariable problem
        $result.Verdict | Should -Be Failed
        $result.Message | Should -Match 'deviated.*marker present'
        $problem[0].FullyQualifiedErrorId | Should -BeLike 'ChaosTestFailed*'
        Test-Path (Join-Path $script:scratch 'rolled-back') | Should -BeTrue
    }

    It 'halts the method when a safeguard is breached, reverts the fault, and says which safeguard' {
        $file = Join-Path $script:scratch 'safeguard.yaml'
        Remove-Item (Join-Path $script:scratch 'stop') -ErrorAction Ignore
        Set-Content $file @"
title: Halts on breach
method:
  - action: { name: breach soon, run: '(sleep 1; touch "$script:scratch/stop") &' }
  - fault: { type: corruption, path: data.bin, duration: 30s }
safeguards:
  interval: 200ms
  probes:
    - name: no stop file
      command: { run: 'test ! -f "$script:scratch/stop"' }
"@
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-ChaosTest -Experiment $file -Force -ErrorAction SilentlyContinue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 15
        $result.Verdict | Should -Be Aborted
        $result.Message | Should -Match 'safeguard.*no stop file'
        $result.Reverted | Should -BeTrue
        (Get-FileHash $script:data).Hash | Should -Be $script:hash
    }

    It 'reports every error of a bad file with file, line and column, and touches nothing' {
        $file = Join-Path $script:scratch 'bad.yaml'
        Set-Content $file "title: bad`nmethod:`n  - fault: { type: cpu, percnt: 50 }`n  - pause: later`n"
        $err = $null
        try { Invoke-ChaosTest -Experiment $file -Force -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ChaosExperimentInvalid*'
        $err.Exception.Message | Should -Match ([regex]::Escape("${file}:3:25:") + ".*Did you mean 'percent'")
        $err.Exception.Message | Should -Match ([regex]::Escape("${file}:4:12:"))
    }

    It 'writes a self-contained report that headless Chromium renders with charts' {
        $report = Join-Path $script:scratch 'report.html'
        Test-Path $report | Should -BeTrue
        $html = Get-Content $report -Raw
        $html | Should -Match 'uPlot'
        $html | Should -Not -Match '(src|href)\s*=\s*"https?:'
        $chromium = (Get-Command chromium, chromium-browser -ErrorAction Ignore | Select-Object -First 1).Source
        if (-not $chromium) { throw 'Chromium is missing: install it with apt-get install -y chromium (build.ps1 Test does as root).' }
        $profile = Join-Path $script:scratch 'chromium-profile'
        $common = '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', "--user-data-dir=$profile", '--virtual-time-budget=3000'
        $dom = & $chromium @common '--dump-dom' "file://$report" 2>$null | Out-String
        $dom | Should -Match 'class="uplot'
        $dom | Should -Match '<canvas'
        $picture = Join-Path $script:scratch 'report.png'
        $blank = Join-Path $script:scratch 'blank.png'
        Set-Content (Join-Path $script:scratch 'blank.html') '<!DOCTYPE html><html><body></body></html>'
        & $chromium @common "--screenshot=$picture" '--window-size=1200,1600' "file://$report" 2>$null | Out-Null
        & $chromium @common "--screenshot=$blank" '--window-size=1200,1600' "file://$script:scratch/blank.html" 2>$null | Out-Null
        # A PNG of an empty page compresses to almost nothing; text, tables and charts do not.
        (Get-Item $picture).Length | Should -BeGreaterThan (10 * (Get-Item $blank).Length)
    }
}

Describe 'Invoke-Workflow -ChaosProfile' {
    BeforeAll {
        Set-Content (Join-Path $script:scratch 'api.yaml') "name: api`nsteps:`n  - name: call-api`n    shell: sh`n    command: 'true'`n    retry_count: 1`n    retry_delay: 0`n"
        Set-Content (Join-Path $script:scratch 'profile.yaml') "steps:`n  'call-*': { fault_rate: 1 }`n"
    }

    It 'injects the profile''s faults into the matching steps, through their retries' {
        $run = Invoke-Workflow -Path (Join-Path $script:scratch 'api.yaml') -ChaosProfile (Join-Path $script:scratch 'profile.yaml') -ErrorAction SilentlyContinue
        $run.Status | Should -Be Failed
        $run.Steps[0].Attempts | Should -Be 2
        $run.Steps[0].AttemptHistory.Error | Should -Contain 'Injected fault (step chaos).'
        (Invoke-Workflow -Path (Join-Path $script:scratch 'api.yaml')).Status | Should -Be Succeeded
    }

    It 'is refused while CHAOS_ENABLED is false' {
        $env:CHAOS_ENABLED = 'false'
        try {
            { Invoke-Workflow -Path (Join-Path $script:scratch 'api.yaml') -ChaosProfile (Join-Path $script:scratch 'profile.yaml') -ErrorAction Stop } |
                Should -Throw -ErrorId 'ChaosDisabled*'
        }
        finally { $env:CHAOS_ENABLED = 'true' }
    }
}
