BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:work = Join-Path $script:stateHome 'work'
    New-Item -ItemType Directory -Path $script:work | Out-Null

    function Get-LiveProcess([string] $Marker) {
        # Processes (zombies excluded) whose command line mentions the marker.
        foreach ($folder in Get-ChildItem /proc -Directory | Where-Object Name -Match '^\d+$') {
            try {
                $commandLine = [IO.File]::ReadAllText("$folder/cmdline").Replace([char]0, ' ')
                $stat = [IO.File]::ReadAllText("$folder/stat")
                $state = $stat.Substring($stat.LastIndexOf(')') + 2, 1)
                if ($commandLine.Contains($Marker) -and $state -ne 'Z') { [int]$folder.Name }
            }
            catch { }
        }
    }

    function New-SleepMarker { '{0}.{1}' -f (Get-Random -Minimum 500 -Maximum 900), (Get-Random -Minimum 1000 -Maximum 9999) }
}

Describe 'Invoke-ParallelBatch with batch files' {
    It 'starts tasks in priority order, first come first served within a priority, skipping comments' {
        $batch = Join-Path $script:work 'order.batch'
        @(
            '# the nightly batch'
            '3:echo third'
            ''
            '1:echo first'
            '2:echo second-a'
            '   # indented comment'
            '2:echo second-b'
            '10:echo last'
        ) | Set-Content $batch

        $results = Invoke-ParallelBatch -Path $batch -ThrottleLimit 1

        $results | Should -HaveCount 5
        ($results | Sort-Object StartedAt).Output | Should -Be @('first', 'second-a', 'second-b', 'third', 'last')
        $results | ForEach-Object { $_ | Should -BeOfType ([WorkflowAutomation.Parallel.ParallelTaskResult]) }
        $results.Status | Sort-Object -Unique | Should -Be 'Succeeded'
    }

    It 'reports a malformed line with its number and runs nothing' {
        $marker = Join-Path $script:work 'ran.txt'
        $batch = Join-Path $script:work 'bad.batch'
        "1:touch '$marker'", '# fine', '12:echo twelve', 'no priority' | Set-Content $batch

        { Invoke-ParallelBatch -Path $batch -ErrorAction Stop } | Should -Throw -ErrorId 'ParallelBatchLineInvalid,WorkflowAutomation.PowerShell.Commands.InvokeParallelBatchCommand'
        $error[0].Exception.Message | Should -Match ([regex]::Escape("${batch}:3"))
        $error[0].Exception.Message | Should -Match ([regex]::Escape("${batch}:4"))
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        Test-Path $marker | Should -BeFalse
    }

    It 'lists the first ten bad input lines and counts the rest, however many there are' {
        $lines = @(1..2000 | ForEach-Object { 'true' })
        { $lines | Invoke-ParallelBatch -ErrorAction Stop } | Should -Throw -ErrorId 'ParallelBatchLineInvalid,*'
        $message = $error[0].Exception.Message
        $message | Should -Match '^2000 input item\(s\) cannot be run; nothing was run'
        ([regex]::Matches($message, 'has no .priority:. prefix')).Count | Should -Be 10
        $message | Should -Match '\.\.\. and 1990 more'
        $message | Should -Match "Give 'priority:command' strings"
    }

    It 'checks the batch but runs nothing with -WhatIf' {
        $marker = Join-Path $script:work 'whatif.txt'
        "1:touch '$marker'" | Invoke-ParallelBatch -WhatIf | Should -BeNullOrEmpty
        Test-Path $marker | Should -BeFalse
        { '0:bad' | Invoke-ParallelBatch -WhatIf } | Should -Throw -ErrorId 'ParallelBatchLineInvalid,*'
    }

    It 'runs tasks in the caller''s current location' {
        Push-Location $script:work
        try { ('1:pwd' | Invoke-ParallelBatch).Output | Should -Be $script:work }
        finally { Pop-Location }
    }
}

Describe 'Invoke-ParallelBatch with pipeline input' {
    It 'runs Import-Csv rows with ids and dependencies, skipping the dependants of a failure' {
        $csv = Join-Path $script:work 'tasks.csv'
        @(
            'Id,Priority,Command,DependsOn'
            'build,1,echo built,'
            'test,2,exit 4,build'
            'package,1,echo packaged,"build;test"'
            'docs,5,echo docs,build'
        ) | Set-Content $csv

        $results = Import-Csv $csv | Invoke-ParallelBatch -ThrottleLimit 2
        $byId = @{}; $results | ForEach-Object { $byId[$_.Id] = $_ }

        $byId.build.Status | Should -Be 'Succeeded'
        $byId.test.Status | Should -Be 'Failed'
        $byId.test.ExitCode | Should -Be 4
        $byId.package.Status | Should -Be 'Skipped'
        $byId.package.Error | Should -Match "'test', which failed"
        $byId.docs.Status | Should -Be 'Succeeded'
        $byId.docs.StartedAt | Should -BeGreaterThan $byId.build.StartedAt
    }

    It 'refuses an unknown dependency and a cycle before anything runs' {
        $marker = Join-Path $script:work 'cycle-ran.txt'
        $tasks = @(
            New-ParallelTask -Id a -Command "touch '$marker'"
            New-ParallelTask -Id b -Command 'true' -DependsOn c
            New-ParallelTask -Id c -Command 'true' -DependsOn b
        )
        { $tasks | Invoke-ParallelBatch -ErrorAction Stop } | Should -Throw -ErrorId 'ParallelTaskDependencyCycle,*'
        { New-ParallelTask -Id x -Command true -DependsOn nothing | Invoke-ParallelBatch -ErrorAction Stop } | Should -Throw -ErrorId 'ParallelTaskDependencyUnknown,*'
        Test-Path $marker | Should -BeFalse
    }

    It 'reports every bad pipeline item at once and runs nothing' {
        $marker = Join-Path $script:work 'items-ran.txt'
        $thrown = $null
        try { "1:touch '$marker'", '0:echo zero', [pscustomobject]@{ Name = 'no command' } | Invoke-ParallelBatch }
        catch { $thrown = $_ }
        $thrown.FullyQualifiedErrorId | Should -BeLike 'ParallelBatchLineInvalid,*'
        $thrown.Exception.Message | Should -Match "input line 2: '0' is not a priority"
        $thrown.Exception.Message | Should -Match 'input line 3: the item has no Command'
        Test-Path $marker | Should -BeFalse
    }

    It 'runs script blocks in reused runspaces and keeps their output as objects' {
        $results = @(
            { [pscustomobject]@{ Square = 7 * 7; Runspace = [runspace]::DefaultRunspace.InstanceId } }
            New-ParallelTask -ScriptBlock { param($a, $b) $_ + $a + $b } -ArgumentList 1, 2
            { Write-Error 'it broke' }
            { throw 'thrown' }
        ) | Invoke-ParallelBatch -ThrottleLimit 2

        $square = $results | Where-Object Id -eq 1
        $square.Output[0].Square | Should -Be 49
        $square.Output[0].Runspace | Should -Not -Be ([runspace]::DefaultRunspace.InstanceId)
        ($results | Where-Object Id -eq 2).Output | Should -Be 4
        ($results | Where-Object Id -eq 3).Status | Should -Be 'Failed'
        ($results | Where-Object Id -eq 3).Error | Should -Match 'it broke'
        ($results | Where-Object Id -eq 4).Error | Should -Match 'thrown'
    }

    It 'writes what -ScriptBlock writes, in input order, like ForEach-Object -Parallel; -AsResult gives the result objects' {
        # Later inputs finish first, so input order is not completion order.
        $doubled = 1..6 | Invoke-ParallelBatch -ScriptBlock { Start-Sleep -Milliseconds (60 - 10 * $_); $_ * 2 } -ThrottleLimit 3
        $doubled | Should -Be @(2, 4, 6, 8, 10, 12)
        Invoke-ParallelBatch -ScriptBlock { 'alone' } | Should -Be 'alone'

        $results = 1..6 | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } -ThrottleLimit 3 -AsResult
        $results | ForEach-Object { $_ | Should -BeOfType ([WorkflowAutomation.Parallel.ParallelTaskResult]) }
        ($results.Output | Sort-Object) | Should -Be @(2, 4, 6, 8, 10, 12)

        $outputs = 1..3 | Invoke-ParallelBatch -ScriptBlock { if ($_ -eq 2) { throw 'two is bad' }; $_ } -ErrorVariable failures -ErrorAction SilentlyContinue
        $outputs | Should -Be @(1, 3)
        $failures[0].FullyQualifiedErrorId | Should -Match '^ParallelTaskFailed'
        "$failures" | Should -Match 'two is bad'
    }

    It 'streams -ScriptBlock input: output comes before the input has ended, so a long stream needs no more memory than a segment' {
        $script:fed = 0
        $feed = { for ($i = 1; $i -le 20000; $i++) { $script:fed = $i; $i } }
        # Select-Object -First 1 stops the pipeline at the first output: what had been read by then?
        $first = & $feed | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } | Select-Object -First 1
        $first | Should -Be 2
        $script:fed | Should -BeLessThan 20000
    }

    It 'records finished tasks and queue depth in the metric store for the dashboard' {
        $null = '1:true', '1:exit 2' | Invoke-ParallelBatch
        $series = Get-WorkflowMetric -ListAvailable -Name parallel.*
        $series.Name | Should -Contain 'parallel.tasks.completed'
        $series.Name | Should -Contain 'parallel.queue.depth'
        $failed = Get-WorkflowMetric -Name parallel.tasks.completed -Tag @{ status = 'Failed' } -Start (Get-Date).AddMinutes(-5)
        $failed | Should -Not -BeNullOrEmpty
    }

    It 'commits the task counts of each batch when it ends, batch after batch in one session' {
        function Get-NewestCount {
            (Get-WorkflowMetric -Name parallel.tasks.completed -Tag @{ status = 'Succeeded' } -Start (Get-Date).AddMinutes(-5) -Resolution Raw |
                Select-Object -Last 1).Value
        }
        $null = 1..3 | ForEach-Object { '1:true' } | Invoke-ParallelBatch
        Get-NewestCount | Should -Be 3
        $null = 1..2 | ForEach-Object { '1:true' } | Invoke-ParallelBatch
        Get-NewestCount | Should -Be 2
    }

    It 'takes its default throttle limit from MAX_PARALLEL_WORKERS' {
        $env:MAX_PARALLEL_WORKERS = '3'
        try { $summary = 1..6 | ForEach-Object { '5:true' } | Invoke-ParallelBatch -Summary | Select-Object -Last 1 }
        finally { $env:MAX_PARALLEL_WORKERS = $null }
        $summary.ThrottleLimit | Should -Be 3
    }

    It 'ends only the task when its script block calls exit' {
        $results = { exit 3 }, { exit }, { 'after' } | Invoke-ParallelBatch -ThrottleLimit 1
        $results[0].Status | Should -Be 'Failed'
        $results[0].Error | Should -Match 'exit 3'
        $results[1].Status | Should -Be 'Succeeded'
        $results[2].Output | Should -Be 'after'
    }

    It 'writes a summary after the results' {
        $output = 1..20 | ForEach-Object { "$(1 + $_ % 3):true" } | Invoke-ParallelBatch -ThrottleLimit 2 -Summary
        $summary = $output[-1]
        $summary | Should -BeOfType ([WorkflowAutomation.Parallel.ParallelBatchSummary])
        $summary.Total | Should -Be 20
        $summary.Succeeded | Should -Be 20
        $summary.TasksPerSecond | Should -BeGreaterThan 0
        $summary.PickupLatencyP99 | Should -BeGreaterOrEqual $summary.PickupLatencyP50
        ($output | Select-Object -SkipLast 1) | Should -HaveCount 20
    }
}

Describe 'Retries, FailFast, timeouts and Ctrl+C' {
    It 'retries a failing task and reports its attempts' {
        $counter = Join-Path $script:work 'attempts.txt'
        $result = "1:echo x >> '$counter'; [ `$(wc -l < '$counter') -ge 3 ]" | Invoke-ParallelBatch -RetryCount 3 -RetryDelaySeconds 0
        $result.Status | Should -Be 'Succeeded'
        $result.Attempts | Should -Be 3
    }

    It 'starts nothing new after a failure with -FailFast' {
        $results = '1:exit 1', '2:echo later', '3:echo last' | Invoke-ParallelBatch -ThrottleLimit 1 -FailFast
        ($results | Where-Object Status -eq Skipped) | Should -HaveCount 2
        ($results | Where-Object Status -eq Skipped).Error | Should -Match 'FailFast'
    }

    It 'kills the whole process tree of a task that times out' {
        $marker = New-SleepMarker
        $result = "1:sleep $marker & sh -c 'sleep $marker' & sleep $marker" | Invoke-ParallelBatch -TimeoutSeconds 1
        $result.Status | Should -Be 'TimedOut'
        $result.Duration | Should -BeLessThan ([timespan]::FromSeconds(10))
        Get-LiveProcess $marker | Should -BeNullOrEmpty
    }

    It 'stops a script block that times out' {
        $result = { Start-Sleep -Seconds 30 } | Invoke-ParallelBatch -TimeoutSeconds 0.5
        $result.Status | Should -Be 'TimedOut'
        $result.Duration | Should -BeLessThan ([timespan]::FromSeconds(10))
    }

    It 'stops every running task, and their children, on Ctrl+C' {
        $marker = New-SleepMarker
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; " +
                "'1:sleep $marker & sleep $marker', '1:sh -c ''sleep $marker''', '2:sleep $marker' | Invoke-ParallelBatch -ThrottleLimit 2")
            $handle = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while (@(Get-LiveProcess $marker).Count -lt 3 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            @(Get-LiveProcess $marker).Count | Should -BeGreaterOrEqual 3

            $shell.Stop()

            $handle.IsCompleted | Should -BeTrue
            Get-LiveProcess $marker | Should -BeNullOrEmpty
        }
        finally { $shell.Dispose() }
    }
}

Describe 'New-ParallelTask' {
    It 'builds command and script block tasks with a table view and help' {
        $task = New-ParallelTask -Command 'make test' -Priority 2 -Id test -DependsOn build
        $task | Should -BeOfType ([WorkflowAutomation.Parallel.ParallelTask])
        $task.Priority | Should -Be 2
        $task.DependsOn | Should -Be 'build'
        (New-ParallelTask -ScriptBlock { 1 }).IsScript | Should -BeTrue
        { New-ParallelTask -Command x -Priority 11 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        ($task | Format-Table | Out-String) | Should -Match 'make test'
        (Get-Help Invoke-ParallelBatch -Examples | Out-String) | Should -Match 'Import-Csv tasks.csv'
    }
}
