BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:work = Join-Path $script:stateHome 'work'
    New-Item -ItemType Directory $script:work | Out-Null

    function New-Workflow([string] $Name, [string] $Yaml) {
        $path = Join-Path $script:work "$Name.yaml"
        Set-Content -Path $path -Value $Yaml
        $path
    }

    function Test-ProcessAlive([int] $Id) {
        # A killed orphan may linger as a zombie until init reaps it: that is not alive.
        if ($IsLinux) {
            $stat = Get-Content "/proc/$Id/stat" -Raw -ErrorAction SilentlyContinue
            return [bool]$stat -and $stat.Substring($stat.LastIndexOf(')') + 2, 1) -notin 'Z', 'X'
        }
        [bool](Get-Process -Id $Id -ErrorAction SilentlyContinue)
    }

}

Describe 'Invoke-Workflow' {
    It 'runs pwsh steps in this session''s runspace, passes outputs on and records the run' {
        $path = New-Workflow 'outputs' @'
name: outputs
inputs:
  version: { type: string, default: '1.0' }
steps:
  - name: build
    command: |
      "pid=$PID" >> $env:WORKFLOW_OUTPUT
      "artifact=app-${{ inputs.version }}" >> $env:WORKFLOW_OUTPUT
  - name: report
    shell: sh
    command: echo "got $STEPS_BUILD_OUTPUTS_ARTIFACT and ${{ steps.build.outputs.artifact }}"
'@
        $run = Invoke-Workflow -Path $path -Parameter @{ version = '2.1' } 6>&1 | Where-Object { $_ -is [WorkflowAutomation.Workflows.WorkflowRun] }
        $run.Status | Should -Be 'Succeeded'
        $run.Steps[0].Outputs['pid'] | Should -Be $PID   # no new pwsh process
        $run.Steps[0].Outputs['artifact'] | Should -Be 'app-2.1'
        (Get-WorkflowRunLog -Id $run.Id -Step report).Text | Should -Be 'got app-2.1 and app-2.1'
        (Get-WorkflowRun -Id $run.Id).Status | Should -Be 'Succeeded'
    }

    It 'starts every pwsh step in its own folder, wherever the step before it went' {
        New-Item -ItemType Directory (Join-Path $script:work 'sub') -Force | Out-Null
        $path = New-Workflow 'folders' @'
name: folders
steps:
  - name: first
    command: '"folder=$((Get-Location).Path)" >> $env:WORKFLOW_OUTPUT'
  - name: wander
    depends_on: [first]
    command: 'Set-Location /; Set-Location env:'
  - name: again
    depends_on: [wander]
    command: '"folder=$((Get-Location).Path)" >> $env:WORKFLOW_OUTPUT'
  - name: sub
    depends_on: [again]
    working_directory: sub
    command: '"folder=$((Get-Location).Path)" >> $env:WORKFLOW_OUTPUT'
  - name: back
    depends_on: [sub]
    command: '"folder=$((Get-Location).Path)" >> $env:WORKFLOW_OUTPUT'
'@
        $run = Invoke-Workflow -Path $path 6>$null
        $run.Status | Should -Be 'Succeeded'
        $start = $run.Steps[0].Outputs['folder']
        $start | Should -Not -BeNullOrEmpty
        $run.Steps[2].Outputs['folder'] | Should -Be $start
        $run.Steps[3].Outputs['folder'] | Should -Be (Join-Path $script:work 'sub')
        $run.Steps[4].Outputs['folder'] | Should -Be $start
    }

    It 'starts a run in the workflow file''s folder wherever the session is, unless working_directory or -WorkingDirectory says otherwise' {
        $folder = New-Item -ItemType Directory -Force (Join-Path $script:work 'rule')
        New-Item -ItemType Directory -Force (Join-Path $folder 'sub/deeper'), (Join-Path $folder 'elsewhere/deeper/deeper') | Out-Null
        $yaml = "name: rule`nsteps:`n  - name: here`n    shell: sh`n    command: echo `"folder=`$(pwd -P)`" >> `"`$WORKFLOW_OUTPUT`"`n  - name: deeper`n    shell: sh`n    working_directory: deeper`n    command: echo `"folder=`$(pwd -P)`" >> `"`$WORKFLOW_OUTPUT`"`n"
        $plain = Join-Path $folder 'plain.yaml'
        Set-Content $plain ($yaml -replace 'deeper', 'sub')
        Push-Location ([System.IO.Path]::GetTempPath())
        try {
            $run = Invoke-Workflow -Path $plain
            $run.Steps[0].Outputs['folder'] | Should -Be $folder.FullName
            $run.Steps[1].Outputs['folder'] | Should -Be (Join-Path $folder 'sub')

            $keyed = Join-Path $folder 'keyed.yaml'
            Set-Content $keyed "working_directory: elsewhere`n$yaml"
            $run = Invoke-Workflow -Path $keyed
            $run.Steps[0].Outputs['folder'] | Should -Be (Join-Path $folder 'elsewhere')
            $run.Steps[1].Outputs['folder'] | Should -Be (Join-Path $folder 'elsewhere/deeper')

            $run = Invoke-Workflow -Path $keyed -WorkingDirectory (Join-Path $folder 'elsewhere/deeper')
            $run.Steps[0].Outputs['folder'] | Should -Be (Join-Path $folder 'elsewhere/deeper')
            $run.Steps[1].Outputs['folder'] | Should -Be (Join-Path $folder 'elsewhere/deeper/deeper')
            $again = Restart-WorkflowRun -Id $run.Id -WorkingDirectory (Join-Path $folder 'sub')
            $again.Steps[1].Outputs['folder'] | Should -Be (Join-Path $folder 'sub/deeper')

            { Invoke-Workflow -Path $plain -WorkingDirectory (Join-Path $folder 'missing') -ErrorAction Stop } | Should -Throw '*does not exist*'
            $error[0].FullyQualifiedErrorId | Should -BeLike 'WorkingDirectoryNotFound*'
        }
        finally { Pop-Location }
    }

    It 'keeps parallel pwsh steps parallel, each with its own environment' {
        $path = New-Workflow 'parallel_pwsh' @'
name: parallel_pwsh
execution_mode: parallel
steps:
  - name: left
    command: |
      Start-Sleep -Milliseconds 1500
      "pid=$PID" >> $env:WORKFLOW_OUTPUT
      "step=$env:WORKFLOW_STEP" >> $env:WORKFLOW_OUTPUT
  - name: right
    command: |
      Start-Sleep -Milliseconds 1500
      "pid=$PID" >> $env:WORKFLOW_OUTPUT
      "step=$env:WORKFLOW_STEP" >> $env:WORKFLOW_OUTPUT
'@
        $run = Invoke-Workflow $path
        $run.Status | Should -Be 'Succeeded'
        $left, $right = $run.Steps
        $left.Outputs['step'] | Should -Be 'left'
        $right.Outputs['step'] | Should -Be 'right'
        # One ran in this session's runspace, the other in a pwsh of its own, at the same time.
        @($left.Outputs['pid'], $right.Outputs['pid']) | Should -Contain "$PID"
        $left.Outputs['pid'] | Should -Not -Be $right.Outputs['pid']
        $left.StartTime | Should -BeLessThan $right.EndTime
        $right.StartTime | Should -BeLessThan $left.EndTime
    }

    It 'shows step output live, prefixed by the step name' {
        $path = New-Workflow 'live' @'
name: live
steps:
  - name: hello
    shell: sh
    command: echo hi there
'@
        $lines = Invoke-Workflow $path 6>&1 | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" }
        $lines | Should -Contain '[hello] hi there'
    }

    It 'writes an error for a failed run so $? is false and -ErrorAction Stop throws, after rolling back in reverse order' {
        $trace = Join-Path $script:work 'trace.txt'
        $path = New-Workflow 'failing' @"
name: failing
steps:
  - name: one
    shell: sh
    command: echo one >> $trace
    rollback: echo undo-one >> $trace
  - name: two
    command: "'two' | Add-Content $trace"
    rollback: "'undo-two' | Add-Content $trace"
  - name: boom
    command: throw 'kaboom'
  - name: never
    shell: sh
    command: echo never >> $trace
"@
        $run = Invoke-Workflow $path -ErrorVariable failure -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $run.Status | Should -Be 'Failed'
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowRunFailed*'
        $failure[0].Exception.Message | Should -BeLike "*kaboom*"
        ($run.Steps | Where-Object Name -eq never).Status | Should -Be 'Skipped'
        Get-Content $trace | Should -Be @('one', 'two', 'undo-two', 'undo-one')
        { Invoke-Workflow $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*boom*'
    }

    It 'stops at an unapproved gate without a prompt, and runs it with -Approve' {
        $path = New-Workflow 'gated' @'
name: gated
steps:
  - name: deploy
    shell: sh
    command: echo deployed
    approval_required: true
'@
        $run = Invoke-Workflow $path -ErrorVariable failure -ErrorAction SilentlyContinue
        $run.Status | Should -Be 'Failed'
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowApprovalRequired*'
        $failure[0].Exception.Message | Should -BeLike '*-Approve deploy*'
        (Invoke-Workflow $path -Approve deploy).Status | Should -Be 'Succeeded'
    }

    It 'refuses bad inputs before running anything' {
        $path = New-Workflow 'typed' @'
name: typed
inputs:
  count: { type: number, required: true }
steps:
  - name: a
    shell: sh
    command: echo ${{ inputs.count }}
'@
        { Invoke-Workflow $path -Parameter @{ count = 'many' } -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'count' must be a number*"
        $error[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowInputInvalid*'
        @(Get-WorkflowRun -Name typed).Count | Should -Be 0
    }

    It 'prints the plan with -WhatIf and runs nothing' {
        $marker = Join-Path $script:work 'whatif-ran'
        $path = New-Workflow 'plan' @"
name: plan
execution_mode: parallel
inputs:
  target: { default: staging }
steps:
  - name: build
    shell: sh
    command: touch $marker
  - name: deploy
    shell: sh
    command: echo deploy to `${{ inputs.target }}
    depends_on: [build]
"@
        $plan = Invoke-Workflow $path -WhatIf 6>&1 *>&1 | Out-String
        Test-Path $marker | Should -BeFalse
        @(Get-WorkflowRun -Name plan).Count | Should -Be 0
    }

    It 'kills a timed-out pwsh step and what it started' {
        $path = New-Workflow 'timeout' @'
name: timeout
steps:
  - name: slow
    timeout: 1
    command: |
      $child = Start-Process sleep -ArgumentList 60 -PassThru
      "child=$($child.Id)" >> $env:WORKFLOW_OUTPUT
      Start-Sleep 60
'@
        $started = Get-Date
        $run = Invoke-Workflow $path -ErrorAction SilentlyContinue
        ((Get-Date) - $started).TotalSeconds | Should -BeLessThan 15
        $run.Steps[0].Status | Should -Be 'TimedOut'
        $child = [int]$run.Steps[0].Outputs['child']
        Start-Sleep -Milliseconds 300
        Test-ProcessAlive $child | Should -BeFalse
    }

    It 'runs as a job that Stop-WorkflowRun cancels, rolling back and recording Cancelled' {
        $trace = Join-Path $script:work 'job-trace.txt'
        $path = New-Workflow 'long' @"
name: long
steps:
  - name: first
    shell: sh
    command: echo first >> $trace
    rollback: echo undo-first >> $trace
  - name: wait
    shell: sh
    command: sleep 60
"@
        $job = Invoke-Workflow $path -AsJob
        $job | Should -BeOfType [System.Management.Automation.Job]
        $deadline = (Get-Date).AddSeconds(20)
        while (-not (Get-WorkflowRun -Id $job.RunId -ErrorAction SilentlyContinue | Where-Object { ($_.Steps | Where-Object Name -eq wait).Status -eq 'Running' })) {
            if ((Get-Date) -gt $deadline) { throw 'the job never reached the long step' }
            Start-Sleep -Milliseconds 100
        }
        $stopped = Stop-WorkflowRun -Id $job.RunId
        $stopped.Status | Should -Be 'Cancelled'
        $job.State | Should -Be 'Stopped'
        Get-Content $trace | Should -Be @('first', 'undo-first')
        (Get-WorkflowRun -Id $job.RunId).Status | Should -Be 'Cancelled'
        Remove-Job $job -Force
    }

    It 'on Ctrl+C kills the running step, rolls back and records the run as Cancelled' {
        $trace = Join-Path $script:work 'ctrlc-trace.txt'
        $pids = Join-Path $script:work 'ctrlc-pids.txt'
        $path = New-Workflow 'interrupted' @"
name: interrupted
steps:
  - name: prepare
    shell: sh
    command: echo prepare >> $trace
    rollback: echo undo-prepare >> $trace
  - name: wait
    shell: sh
    command: sleep 60 & echo `$! >> $pids; wait
"@
        # Stopping a pipeline is what Ctrl+C does: it calls the cmdlet's StopProcessing.
        $shell = [powershell]::Create()
        [void]$shell.AddScript("Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Invoke-Workflow -Path '$path'")
        $invocation = $shell.BeginInvoke()
        $deadline = (Get-Date).AddSeconds(20)
        while (-not (Test-Path $pids)) {
            if ((Get-Date) -gt $deadline) { throw 'the long step never started' }
            Start-Sleep -Milliseconds 50
        }
        $shell.Stop()
        { $shell.EndInvoke($invocation) } | Should -Throw
        $shell.Dispose()
        $run = Get-WorkflowRun -Name interrupted -First 1
        $run.Status | Should -Be 'Cancelled'
        ($run.Steps | Where-Object Name -eq wait).Status | Should -Be 'Cancelled'
        Get-Content $trace | Should -Be @('prepare', 'undo-prepare')
        Start-Sleep -Milliseconds 200
        Test-ProcessAlive ([int](Get-Content $pids)) | Should -BeFalse
    }

    It 'Stop-Job blocks until an -AsJob run has stopped' {
        $path = New-Workflow 'stopjob' @'
name: stopjob
steps:
  - name: wait
    shell: sh
    command: sleep 60
'@
        $job = Invoke-Workflow $path -AsJob
        Start-Sleep -Milliseconds 500
        $job | Stop-Job
        $job.State | Should -Be 'Stopped'
        (Get-WorkflowRun -Id $job.RunId).Status | Should -Be 'Cancelled'
        Remove-Job $job -Force
    }

    It 'Receive-Job -Wait -AutoRemoveJob returns the run and removes the job' {
        $path = New-Workflow 'autoremove' @'
name: autoremove
steps:
  - name: hello
    shell: sh
    command: echo hi
'@
        $job = Invoke-Workflow $path -AsJob
        $run = Receive-Job $job -Wait -AutoRemoveJob -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $run.Status | Should -Be 'Succeeded'
        Get-Job -Id $job.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Run history' {
    It 'restarts failed runs from the pipeline, reusing the steps that succeeded' {
        $flag = Join-Path $script:work 'fixed'
        $count = Join-Path $script:work 'build-count'
        $path = New-Workflow 'restartable' @"
name: restartable
steps:
  - name: build
    shell: sh
    command: echo x >> $count; echo 'version=9' >> "`$WORKFLOW_OUTPUT"
  - name: deploy
    shell: sh
    command: test -f $flag && echo "deploying `${{ steps.build.outputs.version }}"
"@
        $failed = Invoke-Workflow $path -ErrorAction SilentlyContinue
        $failed.Status | Should -Be 'Failed'
        New-Item $flag -ItemType File | Out-Null
        $restarted = Get-WorkflowRun -Name restartable -Status Failed | Restart-WorkflowRun -FromFailedStep
        $restarted.Status | Should -Be 'Succeeded'
        $restarted.RestartOf | Should -Be $failed.Id
        ($restarted.Steps | Where-Object Name -eq build).Reused | Should -BeTrue
        @(Get-Content $count).Count | Should -Be 1
        (Get-WorkflowRunLog -Id $restarted.Id -Step deploy).Text | Should -Be 'deploying 9'
    }

    It 'filters by name, status and count, and completes run ids and names' {
        $latest = Get-WorkflowRun -First 1
        $latest | Should -HaveCount 1
        @(Get-WorkflowRun -Status Failed).Status | Sort-Object -Unique | Should -Be 'Failed'
        @(Get-WorkflowRun -Name 'restart*').Name | Sort-Object -Unique | Should -Be 'restartable'
        $prefix = $latest.Id.Substring(0, 10)
        $completion = TabExpansion2 -inputScript "Get-WorkflowRun -Id $prefix" -cursorColumn ("Get-WorkflowRun -Id $prefix").Length
        $completion.CompletionMatches.CompletionText | Should -Contain $latest.Id
        $names = TabExpansion2 -inputScript 'Get-WorkflowRun -Name restar' -cursorColumn 28
        $names.CompletionMatches.CompletionText | Should -Contain 'restartable'
    }

    It 'reports an unknown run id clearly' {
        { Get-WorkflowRun -Id 'nope' -ErrorAction Stop } | Should -Throw -ExpectedMessage "*No run has the id 'nope'*"
        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'opens SQLite inside pwsh through the module, owner-only, in WAL mode' {
        $db = Join-Path $script:stateHome 'runs.db'
        Test-Path $db | Should -BeTrue
        if (-not $IsWindows) { [int](Get-Item $db).UnixFileMode | Should -Be 384 }
        # Byte 18 of the header is 2 in WAL mode.
        [System.IO.File]::ReadAllBytes($db)[18] | Should -Be 2
        # The module's SQLite stays private: nothing named Microsoft.Data.Sqlite in the default context.
        [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name | Should -Not -Contain 'Microsoft.Data.Sqlite'
    }

    It 'records a run whose session was killed as Interrupted' {
        $pids = Join-Path $script:work 'killed-pids.txt'
        $path = New-Workflow 'killed' @"
name: killed
steps:
  - name: forever
    shell: sh
    command: sleep 120 & echo `$! >> $pids; wait
"@
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $script = "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Invoke-Workflow -Path '$path'"
        $child = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
        $deadline = (Get-Date).AddSeconds(30)
        while (-not (Test-Path $pids) -or -not (Get-WorkflowRun -Name killed -Status Running -ErrorAction SilentlyContinue | Where-Object { $_.Steps[0].Status -eq 'Running' })) {
            if ((Get-Date) -gt $deadline) { throw 'the child session never started the run' }
            Start-Sleep -Milliseconds 200
        }
        $child.Kill()
        $child.WaitForExit()
        $run = Get-WorkflowRun -Name killed -First 1
        $run.Status | Should -Be 'Interrupted'
        $run.Error | Should -BeLike "*pid $($child.Id)*ended before the run finished*"
        ($run.Steps | Where-Object Name -eq forever).Status | Should -Be 'Interrupted'
        # Reading has no side effects: what the dead session left running is still there.
        $orphan = [int](Get-Content $pids)
        Test-ProcessAlive $orphan | Should -BeTrue
        # The next run recovers: it records the interruption and ends the orphan with the run.
        Invoke-Workflow -Path (New-Workflow 'after-killed' "name: after-killed`nsteps:`n  - name: a`n    shell: sh`n    command: 'true'") | Out-Null
        Start-Sleep -Milliseconds 200
        Test-ProcessAlive $orphan | Should -BeFalse
        (Get-WorkflowRun -Id $run.Id).Status | Should -Be 'Interrupted'
    }
}

Describe 'Notifications' {
    It 'posts a JSON summary to a webhook on loopback, retrying a failed delivery' {
        $port = Get-FreePort
        $listener = [System.Net.HttpListener]::new()
        $listener.Prefixes.Add("http://127.0.0.1:$port/hook/")
        $listener.Start()
        $received = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
        $server = Start-ThreadJob -ArgumentList $listener, $received {
            param($listener, $received)
            for ($i = 0; $i -lt 2; $i++) {
                $context = $listener.GetContext()
                $reader = [System.IO.StreamReader]::new($context.Request.InputStream)
                $received.Enqueue($reader.ReadToEnd())
                # The first delivery fails: the notifier must try again.
                $context.Response.StatusCode = if ($i -eq 0) { 503 } else { 200 }
                $context.Response.Close()
            }
        }
        try {
            $path = New-Workflow 'hooked' @"
name: hooked
steps:
  - name: only
    shell: sh
    command: echo done
notifications:
  webhook: http://127.0.0.1:$port/hook/
"@
            $run = Invoke-Workflow $path
            $server | Wait-Job -Timeout 30 | Out-Null
            $received.Count | Should -Be 2
            $body = $received.ToArray()[1] | ConvertFrom-Json
            $body.workflow | Should -Be 'hooked'
            $body.runId | Should -Be $run.Id
            $body.status | Should -Be 'Succeeded'
            $body.steps[0].name | Should -Be 'only'
            (Get-WorkflowRunLog -Id $run.Id | Where-Object Step -eq $null).Text | Should -BeLike '*Webhook notification sent*'
        }
        finally {
            $listener.Stop()
            $server | Remove-Job -Force
        }
    }

    It 'mails a summary through the SMTP server of the configuration' {
        $port = Get-FreePort
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        $listener.Start()
        $server = Start-ThreadJob -ArgumentList $listener {
            param($listener)
            # A minimal SMTP server: enough of RFC 5321 for one message.
            $client = $listener.AcceptTcpClient()
            $stream = $client.GetStream()
            $reader = [System.IO.StreamReader]::new($stream)
            $writer = [System.IO.StreamWriter]::new($stream); $writer.NewLine = "`r`n"; $writer.AutoFlush = $true
            $writer.WriteLine('220 localhost ready')
            $transcript = [System.Text.StringBuilder]::new()
            while ($null -ne ($line = $reader.ReadLine())) {
                [void]$transcript.AppendLine($line)
                switch -Regex ($line) {
                    '^(EHLO|HELO)' { $writer.WriteLine('250 localhost') }
                    '^MAIL FROM' { $writer.WriteLine('250 OK') }
                    '^RCPT TO' { $writer.WriteLine('250 OK') }
                    '^DATA' {
                        $writer.WriteLine('354 Go ahead')
                        while (($data = $reader.ReadLine()) -ne '.') { [void]$transcript.AppendLine($data) }
                        $writer.WriteLine('250 Queued')
                    }
                    '^QUIT' { $writer.WriteLine('221 Bye'); break }
                }
                if ($line -like 'QUIT*') { break }
            }
            $client.Close()
            $transcript.ToString()
        }
        try {
            Set-WorkflowConfiguration SMTP_SERVER 127.0.0.1
            Set-WorkflowConfiguration SMTP_PORT $port
            Set-WorkflowConfiguration SMTP_FROM 'robot@example.test'
            $path = New-Workflow 'mailed' @'
name: mailed
steps:
  - name: only
    shell: sh
    command: exit 1
notifications:
  email: team@example.test
'@
            $run = Invoke-Workflow $path -ErrorAction SilentlyContinue
            $transcript = $server | Wait-Job -Timeout 30 | Receive-Job
            $transcript | Should -BeLike '*MAIL FROM:<robot@example.test>*'
            $transcript | Should -BeLike '*RCPT TO:<team@example.test>*'
            $transcript | Should -BeLike '*Subject: Workflow mailed Failed*'
            $transcript | Should -BeLike "*Run: $($run.Id)*"
        }
        finally {
            $listener.Stop()
            $server | Remove-Job -Force
        }
    }
}

Describe 'Step containment, secrets and log limits' {
    It 'ends a step at its timeout however its background child escaped, and sweeps detached ones at a normal end' {
        $pids = Join-Path $script:work 'escaped.pids'
        $path = New-Workflow 'escapes' @"
name: escapes
steps:
  - name: holds_output
    shell: bash
    timeout: 3
    command: (env -u WORKFLOW_AUTOMATION_TREE sh -c 'echo `$`$ >> $pids; exec sleep 12' &)
  - name: detached
    shell: bash
    command: setsid sh -c 'echo `$`$ >> $pids; exec sleep 33' > /dev/null 2>&1 < /dev/null & sleep 0.3
"@
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-Workflow -Path $path 6>$null
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 6
        $run.Status | Should -Be 'Succeeded'
        $started = Get-Content $pids
        $started.Count | Should -Be 2
        Start-Sleep -Milliseconds 200
        $started | Where-Object { Test-ProcessAlive $_ } | Should -BeNullOrEmpty
    }

    It 'ends what an in-process pwsh step left running when the step ends: its child and an orphaned grandchild' {
        $pids = Join-Path $script:work 'pwsh-left.pids'
        $path = New-Workflow 'pwsh_leaves' @"
name: pwsh_leaves
steps:
  - name: leaves
    command: |
      (Start-Process sleep -ArgumentList 60 -PassThru).Id >> '$pids'
      sh -c 'sleep 61 > /dev/null 2>&1 & echo `$!' >> '$pids'
"@
        $run = Invoke-Workflow -Path $path 6>$null
        $run.Status | Should -Be 'Succeeded'
        $left = Get-Content $pids
        $left.Count | Should -Be 2
        Start-Sleep -Milliseconds 200
        $left | Where-Object { Test-ProcessAlive $_ } | Should -BeNullOrEmpty
    }

    It 'masks secret inputs and SECRET_ENV_VARS values in Get-WorkflowRunLog, outputs and runs.db' {
        $env:WA_PESTER_API_KEY = 'apikey-8f3a1c77'
        $env:SECRET_ENV_VARS = 'WA_PESTER_API_KEY'
        try {
            $path = New-Workflow 'secrets' @'
name: secrets
inputs:
  password: { type: string, secret: true }
  user: { type: string }
steps:
  - name: use
    shell: bash
    command: |
      echo "user=$INPUT_USER password=$INPUT_PASSWORD key=$WA_PESTER_API_KEY"
      echo "token=Bearer-$INPUT_PASSWORD" >> "$WORKFLOW_OUTPUT"
'@
            $run = Invoke-Workflow -Path $path -Parameter @{ password = 'pw-Zq81x-secret'; user = 'alice' } 6>$null
            $run.Status | Should -Be 'Succeeded'
            (Get-WorkflowRunLog -Id $run.Id -Step use).Text | Should -Be 'user=alice password=*** key=***'
            $run.Steps[0].Outputs['token'] | Should -Be 'Bearer-***'
            (Get-WorkflowRun -Id $run.Id).Parameters['password'] | Should -Be '***'
            $stored = Get-ChildItem (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'runs.db*') |
                ForEach-Object { [Text.Encoding]::UTF8.GetString([IO.File]::ReadAllBytes($_.FullName)) }
            ($stored -join '') | Should -Not -Match 'pw-Zq81x-secret|apikey-8f3a1c77'
            ($stored -join '') | Should -Match 'alice'
        }
        finally {
            Remove-Item Env:WA_PESTER_API_KEY, Env:SECRET_ENV_VARS -ErrorAction SilentlyContinue
        }
    }

    It 'cuts a huge output line and says so, and leaves no scratch files in /tmp' {
        $path = New-Workflow 'hugeline' @'
name: hugeline
steps:
  - name: huge
    shell: bash
    command: head -c 5000000 /dev/zero | tr '\0' x; echo; echo done
'@
        $run = Invoke-Workflow -Path $path 6>$null
        $run.Status | Should -Be 'Succeeded'
        $log = Get-WorkflowRunLog -Id $run.Id -Step huge
        $log[0].Text.Length | Should -BeLessThan 70000
        # Compared as a boolean: a failure must not print 64 KB of x.
        $log[0].Text.EndsWith(' [line truncated: 4,934,464 more characters not kept; lines are cut at 65,536]') | Should -BeTrue
        $log[-1].Text | Should -Be 'done'
        (Get-Item (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'runs.db')).Length | Should -BeLessThan 2MB
        Test-Path (Join-Path $env:WORKFLOW_AUTOMATION_HOME 'scratch') | Should -BeTrue
        Test-Path (Join-Path ([IO.Path]::GetTempPath()) "wa-run-$($run.Id)") | Should -BeFalse
    }
}

Describe 'Table views' {
    # Each table view of the module's (joined) view file, by name.
    $tableViews = @(Get-ChildItem (Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE) -Filter *.Format.ps1xml | ForEach-Object {
            ([xml](Get-Content $_ -Raw)).Configuration.ViewDefinitions.View | Where-Object { $_['TableControl'] } |
                ForEach-Object { @{ Name = $_.Name; Xml = $_.OuterXml } }
        })

    It 'give every enum column room for its longest name in <Name>' -ForEach $tableViews {
        $view = ([xml]$Xml).View
        $type = $view.ViewSelectedBy.TypeName -as [type]
        $type | Should -Not -BeNullOrEmpty -Because "the view $Name names a type the module has"
        $headers = @($view.TableControl.TableHeaders.TableColumnHeader)
        $items = @($view.TableControl.TableRowEntries.TableRowEntry.TableColumnItems.TableColumnItem)
        for ($i = 0; $i -lt $items.Count; $i++) {
            if (-not $items[$i]['PropertyName'] -or -not $headers[$i]['Width']) { continue }
            $property = $type.GetProperty($items[$i].PropertyName)
            $valueType = [Nullable]::GetUnderlyingType($property.PropertyType) ?? $property.PropertyType
            if ($valueType.IsEnum) {
                $longest = ([enum]::GetNames($valueType) | Measure-Object Length -Maximum).Maximum
                [int]$headers[$i].Width | Should -BeGreaterOrEqual $longest -Because "$Name.$($property.Name) shows $($valueType.Name) values"
            }
        }
    }

    It 'shows a run''s whole workflow name and its steps'' names' {
        $path = New-Workflow 'nightly' "name: deployment_workflow_prod`nsteps:`n  - name: publish_release_notes`n    shell: sh`n    command: 'true'`n"
        $run = Invoke-Workflow -Path $path
        ($run | Format-Table | Out-String -Width 200) | Should -Match 'deployment_workflow_prod\s+Succeeded'
        ($run.Steps | Format-Table | Out-String -Width 200) | Should -Match 'publish_release_notes\s+Succeeded'
    }
}
