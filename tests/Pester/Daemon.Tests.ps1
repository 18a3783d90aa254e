BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory

    function Get-Mode([string] $Path) { '{0:d3}' -f [Convert]::ToInt32([Convert]::ToString([int](Get-Item $Path -Force).UnixFileMode, 8)) }
    function Wait-Until([scriptblock] $Condition, [int] $Seconds = 30) {
        $deadline = [DateTime]::UtcNow.AddSeconds($Seconds)
        while (-not (& $Condition)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for: $Condition" }
            Start-Sleep -Milliseconds 100
        }
    }
}

AfterAll {
    Stop-WorkflowDaemon -Force -ErrorAction Ignore
}

Describe 'Without a daemon' {
    It 'Get-WorkflowDaemon reports Stopped' {
        $status = Get-WorkflowDaemon
        $status.State | Should -Be 'Stopped'
        $status.StateDirectory | Should -Be $script:stateHome
    }

    It 'Stop-WorkflowDaemon says none runs and how to start one' {
        { Stop-WorkflowDaemon -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Start-WorkflowDaemon*'
        $error[0].FullyQualifiedErrorId | Should -BeLike 'DaemonNotRunning*'
        $error[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }
}

Describe 'A detached daemon' {
    BeforeAll {
        # Started by a pwsh that exits at once: the daemon must outlive it.
        $child = Invoke-ChildPwsh -Script "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; (Start-WorkflowDaemon -NoDashboard).State"
        $script:startOutput = $child.Output
    }

    It 'outlives the session that started it and reports itself Running and Healthy' {
        $script:startOutput | Should -Contain 'Running'
        $status = Get-WorkflowDaemon
        $status.State | Should -Be 'Running'
        $status.Mode | Should -Be 'Detached'
        $status.Health | Should -Be 'Healthy'
        $status.ProcessId | Should -Not -Be $PID
        $status.DashboardPort | Should -BeNullOrEmpty
        (Get-Process -Id $status.ProcessId).ProcessName | Should -Be 'pwsh'
        $status.HealthChecks.Name | Should -Be @('Database', 'Disk', 'Scheduler', 'Metrics', 'Socket')
    }

    It 'keeps its socket owner-only (0600 in a 0700 folder) and a 0600 token' {
        $daemonFolder = Join-Path $script:stateHome 'daemon'
        Get-Mode $daemonFolder | Should -Be '700'
        Get-Mode (Join-Path $daemonFolder 'daemon.sock') | Should -Be '600'
        Get-Mode (Join-Path $daemonFolder 'token') | Should -Be '600'
    }

    It 'refuses a second start, naming the process that holds the state directory' {
        $running = (Get-WorkflowDaemon).ProcessId
        { Start-WorkflowDaemon -ErrorAction Stop } | Should -Throw -ExpectedMessage "*process $running*"
        $error[0].FullyQualifiedErrorId | Should -BeLike 'DaemonAlreadyRunning*'
        $error[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Get-WorkflowDaemon).ProcessId | Should -Be $running
    }

    It 'writes its log in the state directory' {
        Get-Content (Join-Path $script:stateHome 'logs/daemon.log') -Raw | Should -Match 'Running as process'
    }

    It 'is restarted by its supervisor after kill -9' {
        $before = (Get-WorkflowDaemon).ProcessId
        kill -9 $before
        Wait-Until { $s = Get-WorkflowDaemon; $s.State -eq 'Running' -and $s.ProcessId -ne $before }
        Get-Content (Join-Path $script:stateHome 'logs/supervisor.log') -Raw | Should -Match "process $before\) ended without stopping"
    }

    It 'Restart-WorkflowDaemon replaces the process' {
        $before = (Get-WorkflowDaemon).ProcessId
        $after = Restart-WorkflowDaemon -NoDashboard
        $after.State | Should -Be 'Running'
        $after.ProcessId | Should -Not -Be $before
    }

    It 'stops gracefully, and its supervisor ends with it' {
        $daemon = (Get-WorkflowDaemon).ProcessId
        $final = Stop-WorkflowDaemon -PassThru
        $final.State | Should -Be 'Stopped'
        Get-Process -Id $daemon -ErrorAction Ignore | Should -BeNullOrEmpty
        Wait-Until { -not (Test-Path (Join-Path $script:stateHome 'daemon/supervisor.pid')) }
        Test-Path (Join-Path $script:stateHome 'daemon/daemon.sock') | Should -BeFalse
    }
}

Describe 'A supervisor still starting' {
    It 'is ended by Stop-WorkflowDaemon -Force, and does not live on to watch the next daemon' {
        Start-WorkflowDaemon -NoDashboard | Out-Null
        Stop-WorkflowDaemon -Force
        Start-WorkflowDaemon -NoDashboard | Out-Null
        try {
            # A supervisor left starting would be up and watching by now.
            Start-Sleep -Seconds 5
            $supervisors = @(Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$' | Where-Object {
                    (Get-Content "/proc/$($_.Name)/cmdline" -Raw -ErrorAction Ignore) -like '*SupervisorEntry*' -and
                    ((Get-Content "/proc/$($_.Name)/environ" -Raw -ErrorAction Ignore) -split "`0") -contains "WORKFLOW_AUTOMATION_HOME=$script:stateHome"
                })
            $supervisors.Count | Should -Be 1
        }
        finally { Stop-WorkflowDaemon -Force }
    }
}

Describe 'A daemon as a job of this session' {
    It 'is listed by Get-Job, answers the daemon cmdlets and stops with Stop-Job' {
        $job = Start-WorkflowDaemon -AsJob -NoDashboard
        try {
            $job | Should -BeOfType System.Management.Automation.Job
            (Get-Job -Id $job.Id).State | Should -Be 'Running'
            $status = Get-WorkflowDaemon
            $status.Mode | Should -Be 'Job'
            $status.ProcessId | Should -Be $PID
            (Receive-Job $job -Keep | Where-Object { $_ -is [WorkflowAutomation.Daemon.DaemonStatus] }).State | Should -Be 'Running'
        }
        finally {
            $job | Stop-Job
        }
        (Get-Job -Id $job.Id).State | Should -Be 'Stopped'
        (Get-WorkflowDaemon).State | Should -Be 'Stopped'
        $null = Receive-Job $job -AutoRemoveJob -Wait -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Security' {
    It 'refuses a state directory that its group can write' {
        $unsafe = New-TestStateDirectory
        try {
            chmod 770 $unsafe
            { Start-WorkflowDaemon -ErrorAction Stop } | Should -Throw -ExpectedMessage '*chmod 700*'
            $error[0].FullyQualifiedErrorId | Should -BeLike 'StateDirectoryInsecure*'
            Test-Path (Join-Path $unsafe 'daemon/daemon.sock') | Should -BeFalse
        }
        finally {
            $env:WORKFLOW_AUTOMATION_HOME = $script:stateHome
        }
    }
}
