# The framework's own resilience suite, run as a user runs it: against a real daemon of the
# module in a scratch state directory, which is gone afterwards with its tmpfs and processes.
BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $env:CHAOS_ENABLED = 'true'

    function Get-ScratchProcess([string] $Scratch) {
        # Processes (the scratch daemon, its supervisor, their steps) whose state directory is the scratch one.
        Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | Where-Object {
            $environ = try { [IO.File]::ReadAllText("/proc/$($_.Name)/environ") } catch { '' }
            $environ.Split([char]0) -contains "WORKFLOW_AUTOMATION_HOME=$Scratch"
        } | ForEach-Object Name
    }

    function Assert-NothingLeft([string] $Scratch) {
        Test-Path $Scratch | Should -BeFalse -Because 'the scratch state directory is deleted'
        (Get-Content /proc/mounts) -match [regex]::Escape($Scratch) | Should -BeNullOrEmpty -Because 'the scratch tmpfs is unmounted'
        @(Get-ScratchProcess $Scratch) | Should -BeNullOrEmpty -Because 'the scratch daemon and its supervisor are gone'
        @(Get-ChildItem (Join-Path $script:stateHome 'chaos/rollback') -Filter *.json -ErrorAction Ignore) | Should -BeNullOrEmpty -Because 'nothing is left to recover'
    }
}

AfterAll { Remove-Item Env:CHAOS_ENABLED -ErrorAction Ignore }

Describe 'Invoke-ChaosTest -Type Suite' {
    It '-WhatIf lists the scratch daemon, its tmpfs and each experiment, and starts nothing' {
        $child = Invoke-ChildPwsh -Environment @{ CHAOS_ENABLED = 'true' } -Script "
            Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
            Invoke-ChaosTest -Type Suite -WhatIf
        "
        $output = $child.Output -join "`n"
        $output | Should -Match 'What if: .*mount a 64 MB tmpfs'
        $output | Should -Match 'What if: .*Start a daemon of this module with its supervisor'
        $output | Should -Match 'What if: .*Kill the scratch daemon with SIGKILL'
        $output | Should -Match 'What if: .*Keep every core 100 % busy for 4 s'
        $output | Should -Match 'What if: .*Fill the scratch state directory''s own 64 MB tmpfs'
        $output | Should -Match 'What if: .*reset_peer on the first connection'
        Get-ChaosResult | Should -BeNullOrEmpty
    }

    It 'runs six experiments against a scratch daemon, each with a score and a verdict, reports them, and leaves nothing behind' {
        $report = Join-Path $script:stateHome 'suite.html'
        $job = Invoke-ChaosTest -Type Suite -DurationSeconds 2 -ReportPath $report -Force -AsJob
        $null = Wait-Job $job -Timeout 240
        $progress = @($job.Progress | ForEach-Object StatusDescription)
        $result = Receive-Job $job -ErrorAction SilentlyContinue
        Remove-Job $job -Force
        $failing = $result.Children.HypothesisAfter | Where-Object { -not $_.Ok } | ForEach-Object { "$($_.Name): $($_.Detail)" }
        $result.Verdict | Should -Be Passed -Because ($failing -join '; ')
        $result.Type | Should -Be Suite
        $result.Score | Should -Be 100
        $result.Children.Type | Should -Be @('Process', 'Cpu', 'Memory', 'Disk', 'Corruption', 'Network')
        foreach ($child in $result.Children) {
            $child.Verdict | Should -Be Passed -Because $child.Message
            $child.Score | Should -Be 100
            $child.HypothesisAfter.Count | Should -BeGreaterOrEqual 4
        }
        $checks = @{}; $result.Children.HypothesisAfter | ForEach-Object { $checks[$_.Name] = $_ }
        $checks['the accepted run was not lost: it ended Succeeded'].Ok | Should -BeTrue
        $checks['health turned Degraded, naming the disk'].Detail | Should -Match '^Disk: .*the volume is full'
        $checks['the corrupted file was quarantined with a reason naming it'].Detail | Should -Match 'rejected/suite-corrupt.json: suite-corrupt.json: it is not valid JSON'
        $checks["the proxy delayed it by the 300 ms asked"].Value | Should -BeGreaterOrEqual 290
        $result.Latest('cpu.daemon.submit_ms') | Should -Not -BeNullOrEmpty
        $result.Latest('suite.duration_s') | Should -BeLessThan 90

        $stored = Get-ChaosResult -Type Suite -First 1
        $stored.Id | Should -Be $result.Id
        $stored.Children.Count | Should -Be 6
        $html = Get-Content $report -Raw
        $html | Should -Match '<h2>Experiments</h2>'
        $html | Should -Match 'kill -9 of the daemon mid-run: no run lost: Passed, score 100'
        $html | Should -Match '<dt>Score</dt><dd>100 / 100</dd>'
        $progress | Should -Contain 'experiment 6 of 6: Webhook latency and resets through the fault proxy: retried and delivered'
        Assert-NothingLeft $result.Target
    }

    It 'runs, for a user who is not root, in a user and mount namespace of its own' {
        # uid 1000 inside a user namespace: not root, as an ordinary user is (files of this test stay its own).
        $script = "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; `$r = Invoke-ChaosTest -Type Suite -Target inbox -Force -ErrorAction SilentlyContinue; `$r | ConvertTo-Json -Depth 8 -Compress -EnumsAsStrings"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $lines = & unshare --user --map-user=1000 --map-group=1000 -- (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
        $json = $lines | Where-Object { "$_".StartsWith('{') } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        $result = $json | ConvertFrom-Json
        $result.Verdict | Should -Be 'Passed' -Because $result.Message
        $result.Parameters.RanIn | Should -Match 'unshare --user --map-root-user --mount'
        $result.Children.Count | Should -Be 1
        $result.Children[0].Type | Should -Be 'Corruption'
        $result.Children[0].Verdict | Should -Be 'Passed' -Because $result.Children[0].Message
        # Root inside its namespace only, it mounted its tmpfs there, and unmounted it.
        $mount = $result.Touched | Where-Object Kind -EQ 'Mount'
        $mount.Action | Should -Be '64 MB tmpfs mounted'
        $mount.Reverted | Should -BeTrue
        (Get-ChaosResult -Id $result.Id).Parameters.RanIn | Should -Not -BeNullOrEmpty
        Assert-NothingLeft $result.Target
    }

    It 'leaves what a killed suite set up to Invoke-ChaosTest -Recover' {
        $pwsh = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Invoke-ChaosTest -Type Suite -Force"
        $child = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru -RedirectStandardOutput (Join-Path $script:stateHome 'killed.out')
        $rollback = Join-Path $script:stateHome 'chaos/rollback'
        $deadline = [datetime]::UtcNow.AddSeconds(90)
        $scratch = $null
        while (-not $scratch -and [datetime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 200
            $journal = Get-ChildItem $rollback -Filter *.json -ErrorAction Ignore | ForEach-Object { Get-Content $_ -Raw | ConvertFrom-Json } |
                Where-Object { $_.Entries.Kind -contains 'StopDaemon' }
            $candidate = @($journal.Entries | Where-Object Kind -EQ 'StopDaemon').Path | Select-Object -First 1
            if ($candidate -and (Test-Path (Join-Path $candidate 'daemon/daemon.pid'))) { $scratch = $candidate }
        }
        $scratch | Should -Not -BeNullOrEmpty -Because 'the suite starts its scratch daemon'
        & kill -9 $child.Id
        $child.WaitForExit()
        Test-Path $scratch | Should -BeTrue
        @(Get-ScratchProcess $scratch) | Should -Not -BeNullOrEmpty -Because 'the detached scratch daemon outlives the killed session'

        $reverted = @(Invoke-ChaosTest -Recover -Force)
        $reverted.Kind | Should -Contain 'StopDaemon'
        $reverted.Kind | Should -Contain 'DeleteFolder'
        $reverted | ForEach-Object { $_.Reverted | Should -BeTrue -Because "$($_.Kind) $($_.What): $($_.Revert)" }
        Start-Sleep -Milliseconds 500
        Assert-NothingLeft $scratch
    }
}
