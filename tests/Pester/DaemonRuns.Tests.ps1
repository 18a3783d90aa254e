BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    # The detached daemon reads these at start. No supervisor: the tests restart it themselves.
    $script:saved = @{}
    foreach ($pair in @{ AUTO_RESTART_MAX_PER_HOUR = '0'; CIRCUIT_BREAKER_THRESHOLD = '2'; CIRCUIT_BREAKER_DURATION = '2' }.GetEnumerator()) {
        $script:saved[$pair.Key] = [Environment]::GetEnvironmentVariable($pair.Key)
        [Environment]::SetEnvironmentVariable($pair.Key, $pair.Value)
    }
    function New-Workflow([string] $Name, [string] $Yaml) {
        $path = Join-Path $script:stateHome "$Name.yaml"
        Set-Content -Path $path -Value $Yaml
        $path
    }
    function Restart-TestDaemon {
        if ((Get-WorkflowDaemon).State -eq 'Running') { Stop-WorkflowDaemon -GracePeriod 0 }
        Start-WorkflowDaemon -NoDashboard | Out-Null
    }
    Start-WorkflowDaemon -NoDashboard | Out-Null
}

AfterAll {
    Stop-WorkflowDaemon -Force -ErrorAction Ignore
    foreach ($name in $script:saved.Keys) { [Environment]::SetEnvironmentVariable($name, $script:saved[$name]) }
}

Describe 'Ctrl+C' {
    BeforeAll {
        # Stop() on a PowerShell instance is what Ctrl+C does to the pipeline it runs.
        function Measure-Stopped([string] $Script) {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; $Script")
                $async = $ps.BeginInvoke()
                Start-Sleep -Milliseconds 1500
                $async.IsCompleted | Should -BeFalse -Because 'the command must still be waiting when Ctrl+C comes'
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()
                $clock.Elapsed
            }
            finally { $ps.Dispose() }
        }
    }

    It 'stops Wait-WorkflowRun at once, and the run goes on' {
        $path = New-Workflow slow "name: slow`nsteps:`n  - name: a`n    shell: sh`n    command: sleep 30`n"
        $run = Submit-Workflow -Path $path
        (Measure-Stopped "Wait-WorkflowRun -Id $($run.Id)").TotalSeconds | Should -BeLessThan 3 -Because "the run itself takes 30 s"
        (Get-WorkflowRun -Id $run.Id).Status | Should -BeIn 'Queued', 'Running'
        Stop-WorkflowRun -Id $run.Id | Out-Null
    }

    It 'stops Stop-WorkflowRun at once while it waits for a slow rollback' {
        $path = New-Workflow slow-rollback "name: slow-rollback`nsteps:`n  - name: a`n    shell: sh`n    command: 'true'`n    rollback: sleep 8`n  - name: b`n    shell: sh`n    command: sleep 30`n"
        $run = Submit-Workflow -Path $path
        $deadline = (Get-Date).AddSeconds(30)
        while (((Get-WorkflowRun -Id $run.Id).Steps | Where-Object Name -EQ b).Status -ne 'Running') {
            if ((Get-Date) -gt $deadline) { throw 'the step never started' }
            Start-Sleep -Milliseconds 100
        }
        (Measure-Stopped "Stop-WorkflowRun -Id $($run.Id)").TotalSeconds | Should -BeLessThan 3 -Because "the rollback it waits for takes 8 s"
        (Wait-WorkflowRun -Id $run.Id -Timeout 60).Status | Should -Be 'Cancelled'
    }
}

Describe 'Submitting to the daemon' {
    It 'queues a run that Wait-WorkflowRun returns once it succeeded, and Get-WorkflowRun shows' {
        $path = New-Workflow hello @'
name: hello
inputs:
  who: { type: string, default: world }
steps:
  - name: greet
    shell: sh
    command: echo "greeting=hello ${{ inputs.who }}" >> "$WORKFLOW_OUTPUT"
'@
        $queued = Submit-Workflow -Path $path -Parameter @{ who = 'pester' }
        $queued | Should -BeOfType ([WorkflowAutomation.Workflows.WorkflowRun])
        $queued.Status | Should -Be 'Queued'
        $run = $queued | Wait-WorkflowRun -Timeout 60
        $run.Status | Should -Be 'Succeeded'
        $run.Steps[0].Outputs['greeting'] | Should -Be 'hello pester'
        (Get-WorkflowRun -Id $queued.Id).Status | Should -Be 'Succeeded'
    }

    It 'refuses a broken file naming its line, and queues nothing' {
        $path = New-Workflow broken "name: broken`nsteps:`n  - name: a`n    command: echo hi`n    depends_on: [nowhere]`n"
        $before = @(Get-WorkflowRun -Name broken).Count
        { Submit-Workflow -Path $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*broken.yaml*5*nowhere*'
        $error[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowYamlInvalid*'
        @(Get-WorkflowRun -Name broken).Count | Should -Be $before
    }

    It 'lets Approve-WorkflowStep and Deny-WorkflowStep answer approval gates' {
        $path = New-Workflow gated @'
name: gated
steps:
  - name: deploy
    shell: sh
    approval_required: true
    command: echo deployed
'@
        $approved = Submit-Workflow $path
        $denied = Submit-Workflow $path
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ((Get-WorkflowDaemon).WaitingForApproval -lt 2) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The runs never waited for approval.' }
            Start-Sleep -Milliseconds 100
        }
        (Get-WorkflowRun -Id $approved.Id).Status | Should -Be 'WaitingForApproval'
        (Get-WorkflowRun -Id $approved.Id).Steps[0].Status | Should -Be 'WaitingForApproval'
        (Approve-WorkflowStep -RunId $approved.Id -Step deploy).Name | Should -Be 'deploy'
        Deny-WorkflowStep -RunId $denied.Id -Step deploy -Reason 'change freeze' | Out-Null
        (Wait-WorkflowRun -Id $approved.Id -Timeout 30).Status | Should -Be 'Succeeded'
        $refused = Wait-WorkflowRun -Id $denied.Id -Timeout 30
        $refused.Status | Should -Be 'Failed'
        $refused.Steps[0].Error | Should -Match 'not approved'
        { Approve-WorkflowStep -RunId $approved.Id -Step deploy -ErrorAction Stop } | Should -Throw
        $error[0].FullyQualifiedErrorId | Should -BeLike 'ApprovalNotPending*'
    }

    It 'Stop-WorkflowRun cancels a daemon run and Wait-WorkflowRun -Timeout reports a run still going' {
        $path = New-Workflow sleepy "name: sleepy`nsteps:`n  - name: nap`n    shell: sh`n    command: sleep 30`n"
        $run = Submit-Workflow $path
        Wait-WorkflowRun -Id $run.Id -Timeout 1 -ErrorVariable waitError -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $waitError[0].FullyQualifiedErrorId | Should -BeLike 'WaitTimeout*'
        $stopped = Stop-WorkflowRun -Id $run.Id
        $stopped.Status | Should -Be 'Cancelled'
        $stopped.Steps[0].Status | Should -Be 'Cancelled'
    }
}

Describe 'Submitting many files' {
    It 'pipes them over one connection: every run its own id, written in the order given, a bad file in the middle named while the rest go in' {
        $folder = New-Item -ItemType Directory (Join-Path $script:stateHome 'batch')
        foreach ($index in 1..12) {
            Set-Content (Join-Path $folder ('w{0:d2}.yaml' -f $index)) "name: batch-$index`nsteps:`n  - name: a`n    shell: sh`n    command: 'true'`n"
        }
        # Sorts between w06 and w07.
        Set-Content (Join-Path $folder 'w06-broken.yaml') "name: broken`nsteps:`n  - name: a`n    command: echo hi`n    depends_on: [nowhere]`n"
        $runs = @(Get-ChildItem $folder -Filter *.yaml | Sort-Object Name | Submit-Workflow -ErrorVariable refused -ErrorAction SilentlyContinue)
        $runs.Name | Should -Be (1..12 | ForEach-Object { "batch-$_" })
        @($runs.Id | Select-Object -Unique).Count | Should -Be 12
        $refused.Count | Should -Be 1
        $refused[0].TargetObject | Should -BeLike '*w06-broken.yaml'
        $refused[0].Exception.Message | Should -BeLike '*w06-broken.yaml:5*nowhere*'
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowYamlInvalid*'
        ($runs | Wait-WorkflowRun -Timeout 60).Status | Should -Be (@('Succeeded') * 12)
    }

    It 'keeps its connection between calls and still gets through after the daemon was restarted' {
        $path = New-Workflow again "name: again`nsteps:`n  - name: a`n    shell: sh`n    command: 'true'`n"
        $first = Submit-Workflow $path
        Restart-TestDaemon
        $second = Submit-Workflow $path
        $second.Id | Should -Not -Be $first.Id
        ($second | Wait-WorkflowRun -Timeout 60).Status | Should -Be 'Succeeded'
    }

    It 'does not pass the runtime settings the daemon was started with on to its steps' {
        $path = New-Workflow settings "name: settings`nsteps:`n  - name: a`n    shell: sh`n    command: echo `"seen=`${DOTNET_TieredPGO-none},`${MALLOC_ARENA_MAX-none},`${DOTNET_ThreadPool_UnfairSemaphoreSpinLimit-none}`" >> `"`$WORKFLOW_OUTPUT`"`n"
        $daemon = (Get-WorkflowDaemon).ProcessId
        (Get-Content "/proc/$daemon/environ" -Raw) -split "`0" | Should -Contain 'DOTNET_TieredPGO=0'
        $run = Submit-Workflow $path | Wait-WorkflowRun -Timeout 60
        $run.Steps[0].Outputs['seen'] | Should -Be 'none,none,none'
    }
}

Describe 'The working folder of a daemon run' {
    It 'is the workflow file''s folder, as for Invoke-Workflow, or -WorkingDirectory' {
        $folder = New-Item -ItemType Directory -Force (Join-Path $script:stateHome 'rule')
        $other = New-Item -ItemType Directory -Force (Join-Path $folder 'other')
        $path = Join-Path $folder 'where.yaml'
        Set-Content $path "name: where`nsteps:`n  - name: here`n    shell: sh`n    command: echo `"folder=`$(pwd -P)`" >> `"`$WORKFLOW_OUTPUT`"`n"
        Push-Location ([System.IO.Path]::GetTempPath())
        try {
            $session = Invoke-Workflow -Path $path
            $daemon = Submit-Workflow -Path $path | Wait-WorkflowRun -Timeout 30
            $moved = Submit-Workflow -Path $path -WorkingDirectory $other | Wait-WorkflowRun -Timeout 30
        }
        finally { Pop-Location }
        $session.Steps[0].Outputs['folder'] | Should -Be $folder.FullName
        $daemon.Steps[0].Outputs['folder'] | Should -Be $folder.FullName
        $moved.Steps[0].Outputs['folder'] | Should -Be $other.FullName
    }
}

Describe 'Circuit breakers' {
    It 'open at the threshold, fail fast, half-open after the break and close on success' {
        $flag = Join-Path $script:stateHome 'service-up'
        $path = New-Workflow fragile @"
name: fragile
steps:
  - name: call
    shell: sh
    command: test -f '$flag'
"@
        1..2 | ForEach-Object { (Submit-Workflow $path | Wait-WorkflowRun -Timeout 30).Status | Should -Be 'Failed' }
        $open = Get-CircuitBreaker -State Open
        $open.Name | Should -Contain 'workflow:fragile'
        $open.Name | Should -Contain 'fragile/call'
        ($open | Where-Object Name -EQ 'fragile/call').Command | Should -Be "test -f '$flag'"
        ($open | Where-Object Name -EQ 'workflow:fragile').Failures | Should -Be 2
        (Get-WorkflowDaemon).OpenBreakers | Should -Be 2

        $fast = Submit-Workflow $path | Wait-WorkflowRun -Timeout 30
        $fast.Status | Should -Be 'Failed'
        $fast.Steps[0].Status | Should -Be 'CircuitOpen'

        Start-Sleep -Milliseconds 2200
        New-Item -ItemType File $flag | Out-Null
        (Submit-Workflow $path | Wait-WorkflowRun -Timeout 30).Status | Should -Be 'Succeeded'
        (Get-CircuitBreaker -Name '*fragile*', 'fragile/*').State | Sort-Object -Unique | Should -Be 'Closed'
    }

    It 'Reset-CircuitBreaker closes an open breaker and reports an unknown name' {
        $path = New-Workflow broken_tool "name: broken_tool`nsteps:`n  - name: tool`n    shell: sh`n    command: exit 9`n"
        1..2 | ForEach-Object { Submit-Workflow $path | Wait-WorkflowRun -Timeout 30 | Out-Null }
        (Get-CircuitBreaker 'workflow:broken_tool').State | Should -Be 'Open'
        $completions = (TabExpansion2 -inputScript 'Reset-CircuitBreaker -Name broken' -cursorColumn 33).CompletionMatches.CompletionText
        $completions | Should -Be @('broken_tool/tool')
        (TabExpansion2 -inputScript 'Get-CircuitBreaker work' -cursorColumn 23).CompletionMatches.CompletionText | Should -Contain 'workflow:broken_tool'
        $reset = Reset-CircuitBreaker -Name 'workflow:broken_tool', 'broken_tool/tool'
        $reset.State | Should -Be @('Closed', 'Closed')
        { Reset-CircuitBreaker -Name 'workflow:brokn_tool' -ErrorAction Stop } | Should -Throw -ExpectedMessage "*Did you mean 'workflow:broken_tool'*"
        $error[0].FullyQualifiedErrorId | Should -BeLike 'CircuitBreakerNotFound*'
    }
}

Describe 'Schedules' {
    BeforeAll {
        function New-OnceCron([datetime] $At) { '{0} {1} {2} * * *' -f $At.Second, $At.Minute, $At.Hour }
    }

    It 'runs a cron workflow on time' {
        $at = [DateTime]::UtcNow.AddSeconds(3)
        $path = New-Workflow on_time "name: on_time`nschedule: '$(New-OnceCron $at)'`nsteps:`n  - name: tick`n    shell: sh`n    command: echo tick`n"
        $schedule = Register-WorkflowSchedule -Path $path
        $schedule.NextRunAt.UtcDateTime | Should -Be ([datetime]::new($at.Year, $at.Month, $at.Day, $at.Hour, $at.Minute, $at.Second, [DateTimeKind]::Utc))
        (Get-WorkflowSchedule on_time).Cron | Should -Be (New-OnceCron $at)
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (-not (Get-WorkflowRun -Name on_time)) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'The schedule never ran.' }
            Start-Sleep -Milliseconds 100
        }
        $run = Get-WorkflowRun -Name on_time | Wait-WorkflowRun -Timeout 30
        $run.Status | Should -Be 'Succeeded'
        ($run.StartTime.UtcDateTime - $at).TotalSeconds | Should -BeLessThan 3
        Unregister-WorkflowSchedule -Name on_time -PassThru | Select-Object -ExpandProperty Name | Should -Be 'on_time'
        Get-WorkflowSchedule -Name on_time | Should -BeNullOrEmpty
    }

    It 'runs an occurrence missed while the daemon was stopped once after start' {
        Stop-WorkflowDaemon
        $at = [DateTime]::UtcNow.AddSeconds(1)
        $path = New-Workflow missed "name: missed`nschedule: '$(New-OnceCron $at)'`nsteps:`n  - name: tick`n    shell: sh`n    command: echo tick`n"
        Register-WorkflowSchedule -Path $path | Out-Null
        while ([DateTime]::UtcNow -lt $at.AddSeconds(1)) { Start-Sleep -Milliseconds 100 }
        Get-WorkflowRun -Name missed | Should -BeNullOrEmpty
        Start-WorkflowDaemon -NoDashboard | Out-Null
        $runs = @(Get-WorkflowRun -Name missed)
        $runs.Count | Should -Be 1
        ($runs | Wait-WorkflowRun -Timeout 30).Status | Should -Be 'Succeeded'
        Start-Sleep -Seconds 2
        @(Get-WorkflowRun -Name missed).Count | Should -Be 1
    }

    It 'refuses a file without a schedule, saying what to add' {
        $path = New-Workflow unscheduled "name: unscheduled`nsteps:`n  - name: a`n    command: echo hi`n"
        { Register-WorkflowSchedule -Path $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*schedule:*'
        $error[0].FullyQualifiedErrorId | Should -BeLike 'ScheduleMissing*'
    }
}

Describe 'Durability' {
    It 'ends the step processes a killed daemon left behind before it resumes their run' {
        $marker = Join-Path $script:stateHome 'orphan.pid'
        $path = New-Workflow orphan @"
name: orphan
steps:
  - name: long
    shell: sh
    command: if [ ! -f '$marker' ]; then echo `$`$ > '$marker'; sleep 120; fi
"@
        # A process counts as alive until it is gone or only a zombie waiting to be reaped.
        function Test-Alive([int] $Id) {
            $stat = Get-Content "/proc/$Id/stat" -ErrorAction Ignore
            [bool]$stat -and ($stat -split ' ')[2] -ne 'Z'
        }
        $id = (Submit-Workflow $path).Id
        $deadline = (Get-Date).AddSeconds(60)
        while (-not (Test-Path $marker) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 50 }
        $orphan = [int](Get-Content $marker)
        $daemon = (Get-WorkflowDaemon).ProcessId
        kill -9 $daemon
        Wait-Process -Id $daemon -ErrorAction Ignore
        Test-Alive $orphan | Should -BeTrue -Because 'the step outlives the daemon that started it'

        Start-WorkflowDaemon -NoDashboard | Out-Null
        $run = Wait-WorkflowRun -Id $id -Timeout 60
        $run.Status | Should -Be 'Succeeded'
        $run.Steps[0].AttemptHistory[0].Status | Should -Be 'Interrupted'
        Test-Alive $orphan | Should -BeFalse -Because 'the restarted daemon ends what the killed one left running'
    }

    It 'loses no accepted run and never reruns a finished step across 20 kill -9 at random moments' {
        $log = Join-Path $script:stateHome 'attempts.log'
        $path = New-Workflow durable @"
name: durable
steps:
  - name: a
    shell: sh
    command: sleep 0.2; echo "`$WORKFLOW_RUN_ID a `$WORKFLOW_ATTEMPT" >> '$log'
  - name: b
    shell: sh
    depends_on: [a]
    command: sleep 0.2; echo "`$WORKFLOW_RUN_ID b `$WORKFLOW_ATTEMPT" >> '$log'
  - name: c
    shell: sh
    depends_on: [b]
    command: sleep 0.2; echo "`$WORKFLOW_RUN_ID c `$WORKFLOW_ATTEMPT" >> '$log'
"@
        $accepted = [System.Collections.Generic.List[string]]::new()
        1..4 | ForEach-Object { $accepted.Add((Submit-Workflow $path).Id) }
        $random = [Random]::new(20261127)
        for ($kill = 1; $kill -le 20; $kill++) {
            $accepted.Add((Submit-Workflow $path).Id)
            Start-Sleep -Milliseconds $random.Next(0, 500)
            $daemon = (Get-WorkflowDaemon).ProcessId
            kill -9 $daemon
            Wait-Process -Id $daemon -ErrorAction Ignore
            Start-WorkflowDaemon -NoDashboard | Out-Null
        }
        $runs = $accepted | Wait-WorkflowRun -Timeout 180
        # No accepted run is lost: every one ran to success.
        $runs.Count | Should -Be $accepted.Count
        $runs | Where-Object Status -NE 'Succeeded' | Should -BeNullOrEmpty

        $executed = Get-Content $log | ForEach-Object { $id, $step, $attempt = $_ -split ' '; [pscustomobject]@{ Run = $id; Step = $step; Attempt = [int]$attempt } }
        $interrupted = 0
        foreach ($run in $runs) {
            foreach ($step in $run.Steps) {
                $history = $step.AttemptHistory
                # The last attempt succeeded; every earlier one was interrupted by a kill, not failed.
                $history[-1].Status | Should -Be 'Succeeded'
                @($history | Select-Object -SkipLast 1 | Where-Object Status -NE 'Interrupted') | Should -BeNullOrEmpty
                $interrupted += $history.Count - 1
                # A finished step never runs again: nothing ran after its successful attempt.
                $after = @($executed | Where-Object { $_.Run -eq $run.Id -and $_.Step -eq $step.Name -and $_.Attempt -gt $history[-1].Number })
                $after | Should -BeNullOrEmpty -Because "step $($step.Name) of run $($run.Id) succeeded in attempt $($history[-1].Number)"
            }
        }
        # The kills did land in running steps, which were marked Interrupted and run again.
        $interrupted | Should -BeGreaterThan 0
    }
}

Describe 'Secrets in daemon runs' {
    It 'masks a secret input from the queued record to the log, outputs and runs.db' {
        $path = New-Workflow secretive @'
name: secretive
inputs:
  token: { type: string, secret: true }
steps:
  - name: use
    shell: sh
    command: |
      echo "using $INPUT_TOKEN"
      echo "header=Bearer $INPUT_TOKEN" >> "$WORKFLOW_OUTPUT"
'@
        $queued = Submit-Workflow -Path $path -Parameter @{ token = 'daemon-tok-51f0e9' }
        $queued.Parameters['token'] | Should -Be '***'
        $run = $queued | Wait-WorkflowRun -Timeout 60
        $run.Status | Should -Be 'Succeeded'
        (Get-WorkflowRunLog -Id $run.Id -Step use).Text | Should -Be 'using ***'
        $run.Steps[0].Outputs['header'] | Should -Be 'Bearer ***'
        $stored = Get-ChildItem (Join-Path $script:stateHome 'runs.db*') |
            ForEach-Object { [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes($_.FullName)) }
        ($stored -join '') | Should -Not -Match 'daemon-tok-51f0e9'
    }
}
