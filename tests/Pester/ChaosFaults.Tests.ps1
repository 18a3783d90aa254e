# Each fault as the seed runs it, with CHAOS_ENABLED on: the measured effect is within
# tolerance and the machine is back to its state afterwards.
BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:scratch = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ("wa-chaos-" + [guid]::NewGuid().ToString('n')))
    $env:CHAOS_ENABLED = 'true'

    function New-VictimProcess([string] $Name, [int] $Count) {
        # A copy of sleep under a name no other process has, so the selector can only match these.
        $binary = Join-Path $script:scratch $Name
        if (-not (Test-Path $binary)) { Copy-Item (Get-Command sleep).Source $binary; chmod +x $binary }
        1..$Count | ForEach-Object { Start-Process -FilePath $binary -ArgumentList 300 -PassThru }
    }

}

AfterAll {
    Remove-Item Env:CHAOS_ENABLED -ErrorAction Ignore
    Remove-Item $script:scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Safety gate' {
    BeforeAll { $env:CHAOS_ENABLED = 'false' }
    AfterAll { $env:CHAOS_ENABLED = 'true' }

    It 'refuses every fault type with ChaosDisabled, naming the key and how to set it' {
        foreach ($type in 'Cpu', 'Memory', 'Disk', 'Network', 'Process', 'Corruption', 'Suite') {
            $err = $null
            try { Invoke-ChaosTest -Type $type -DurationSeconds 1 -Path $script:scratch -Target 'name:nothing' -Force -ErrorAction Stop } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty -Because "$type must be refused"
            $err.FullyQualifiedErrorId | Should -BeLike 'ChaosDisabled*'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -Match 'CHAOS_ENABLED'
            $err.Exception.Message | Should -Match 'Set-WorkflowConfiguration -Name CHAOS_ENABLED -Value true'
        }
        Get-ChaosResult | Should -BeNullOrEmpty
    }

    It 'Test-ChaosReadiness says the faults are not allowed, and why' {
        $readiness = Test-ChaosReadiness
        $readiness.Fault | Should -Contain 'Cpu'
        $readiness | ForEach-Object { $_.Allowed | Should -BeFalse; $_.Ready | Should -BeFalse; $_.Missing | Should -Match 'CHAOS_ENABLED' }
        Test-ChaosReadiness -Quiet | Should -BeFalse
    }
}

Describe 'WhatIf' {
    It 'lists exactly what a disk fault and a process fault would touch, and changes nothing' {
        $victims = @(New-VictimProcess "cvw$(Get-Random -Maximum 99999)" 2)
        try {
            $before = @(Get-ChildItem $script:scratch -Force)
            # What if: lines go to the host, so they are read from a child session.
            $child = Invoke-ChildPwsh -Environment @{ CHAOS_ENABLED = 'true' } -Script "
                Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
                Invoke-ChaosTest -Type Disk -Path '$($script:scratch.FullName)' -FillPercent 99 -MinFreeMegaBytes 0 -WhatIf
                Invoke-ChaosTest -Type Process -Target 'name:$($victims[0].ProcessName)' -WhatIf
            "
            $output = $child.Output -join "`n"
            $output | Should -Match ('What if: .*Create filler file ' + [regex]::Escape($script:scratch.FullName) + '/\.chaos-fill-\w+ of [\d.]+ MB')
            foreach ($victim in $victims) { $output | Should -Match "May kill process $($victim.Id) " }
            @(Get-ChildItem $script:scratch -Force).Count | Should -Be $before.Count
            $victims | ForEach-Object { $_.Refresh(); $_.HasExited | Should -BeFalse }
            Get-ChaosResult | Should -BeNullOrEmpty
        }
        finally { $victims | Stop-Process -Force -ErrorAction Ignore }
    }
}

Describe 'Cpu' {
    It 'keeps the asked share of a core busy, measured from the CPU time the burner got, then stops' {
        $result = Invoke-ChaosTest -Type Cpu -DurationSeconds 3 -Percent 40 -Cores 1 -Force
        $result | Should -BeOfType WorkflowAutomation.Chaos.ChaosResult
        $result.Verdict | Should -Be Passed
        $measured = $result.Mean('cpu.fault_percent')
        $measured | Should -BeLessOrEqual 50
        # On a saturated machine the burner gets less than it asks; the result says so.
        # On a saturated machine the burner may get less than it asks; then the result must say so.
        if ($measured -lt 30) { $result.Message | Should -Match 'saturated' }
        $result.Reverted | Should -BeTrue
        # ./build.ps1 Test installs stress-ng, which the fault then uses; its process tree is gone after.
        $result.Parameters.Engine | Should -Be 'stress-ng' -Because 'stress-ng is installed (apt-get install -y stress-ng)'
        $touch = $result.Touched | Where-Object Kind -eq Process
        $touch.Reverted | Should -BeTrue
        $stressPid = [int]($touch.What -replace '^stress-ng \(pid (\d+)\)$', '$1')
        Get-Process -Id $stressPid -ErrorAction Ignore | Where-Object ProcessName -eq 'stress-ng' | Should -BeNullOrEmpty
    }
}

Describe 'Memory' {
    It 'holds the megabytes resident while it runs and releases them' {
        $result = Invoke-ChaosTest -Type Memory -DurationSeconds 2 -MegaBytes 96 -Force
        $result.Verdict | Should -Be Passed
        ($result.Measurements | Where-Object Name -eq 'memory.fault_mb' | Measure-Object Value -Maximum).Maximum | Should -BeGreaterThan 86
        $result.Latest('memory.after_revert_mb') | Should -BeLessThan 30
    }
}

Describe 'Disk' {
    BeforeAll {
        # A small tmpfs of our own: never the real disk.
        $script:mount = New-Item -ItemType Directory (Join-Path $script:scratch 'tmpfs')
        if ((& id -u) -ne '0') { throw 'The disk fault test mounts a 32 MB tmpfs and needs root (CI runs as root).' }
        & mount -t tmpfs -o size=32m tmpfs $script:mount.FullName
        if ($LASTEXITCODE -ne 0) { throw "mount -t tmpfs failed: the disk test needs a tmpfs it can fill." }
    }
    AfterAll { & umount $script:mount.FullName 2>$null }

    It 'fills the filesystem to the percent asked and removes the filler' {
        $result = Invoke-ChaosTest -Type Disk -Path $script:mount.FullName -FillPercent 75 -MinFreeMegaBytes 1 -DurationSeconds 1 -Force
        $result.Verdict | Should -Be Passed
        $peak = ($result.Measurements | Where-Object Name -eq 'disk.used_percent' | Measure-Object Value -Maximum).Maximum
        $peak | Should -BeGreaterOrEqual 73
        $peak | Should -BeLessOrEqual 77
        @(Get-ChildItem $script:mount.FullName -Force).Count | Should -Be 0
        (Get-PSDrive -PSProvider FileSystem | Out-Null)
        $result.Latest('disk.after_revert_percent') | Should -BeLessThan 5
    }

    It 'never goes below the free-space floor' {
        $result = Invoke-ChaosTest -Type Disk -Path $script:mount.FullName -FillPercent 99 -MinFreeMegaBytes 16 -DurationSeconds 1 -Force
        $result.Verdict | Should -Be Passed
        ($result.Measurements | Where-Object Name -eq 'disk.free_mb' | Measure-Object Value -Minimum).Minimum | Should -BeGreaterOrEqual 15.9
        $result.Events.Detail | Should -Contain ($result.Events.Detail | Where-Object { $_ -match 'Capped at' })
    }

    It 'reverts when the job is stopped, and records the test as Aborted' {
        $job = Invoke-ChaosTest -Type Disk -Path $script:mount.FullName -FillPercent 60 -MinFreeMegaBytes 1 -DurationSeconds 60 -Force -AsJob
        $deadline = [datetime]::UtcNow.AddSeconds(20)
        while (-not (Get-ChildItem $script:mount.FullName -Force) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        @(Get-ChildItem $script:mount.FullName -Force).Count | Should -Be 1
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Stop-Job $job
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 3
        @(Get-ChildItem $script:mount.FullName -Force).Count | Should -Be 0
        $result = Receive-Job $job -ErrorAction SilentlyContinue
        $result.Verdict | Should -Be Aborted
        $result.Reverted | Should -BeTrue
        (Get-ChaosResult -Id $result.Id).Verdict | Should -Be Aborted
        Remove-Job $job
    }
}

Describe 'Process' {
    It 'kills the number asked among the processes the selector matches, and nothing else' {
        $name = "cvk$(Get-Random -Maximum 99999)"
        $victims = @(New-VictimProcess $name 3)
        try {
            $result = Invoke-ChaosTest -Type Process -Target "name:$name" -Count 2 -DurationSeconds 1 -Seed 7 -Force
            $result.Verdict | Should -Be Passed
            Start-Sleep -Milliseconds 200
            $alive = @($victims | Where-Object { $_.Refresh(); -not $_.HasExited })
            $alive.Count | Should -Be 1
            @($result.Touched | Where-Object Kind -eq Process).Count | Should -Be 2
            Get-Process -Id $PID | Should -Not -BeNullOrEmpty
        }
        finally { $victims | Stop-Process -Force -ErrorAction Ignore }
    }

    It 'refuses a selector that would match almost everything' {
        { Invoke-ChaosTest -Type Process -Target 'name:*' -DurationSeconds 1 -Force -ErrorAction Stop } |
            Should -Throw -ErrorId 'ChaosInvalidSelector*'
    }

    It 'never kills this session even when it matches' {
        $result = Invoke-ChaosTest -Type Process -Target "pid:$PID" -DurationSeconds 1 -Force -ErrorAction SilentlyContinue -ErrorVariable problem
        $problem | Should -Not -BeNullOrEmpty
        $problem[0].FullyQualifiedErrorId | Should -BeLike 'ChaosTestFailed*'
        $result.Verdict | Should -Be Aborted
        $result.Message | Should -Match 'No process matches'
    }
}

Describe 'Corruption' {
    It 'damages the file while it runs and restores it byte for byte' {
        $file = Join-Path $script:scratch 'data.bin'
        $bytes = [byte[]]::new(20000); [Random]::new(1).NextBytes($bytes); [IO.File]::WriteAllBytes($file, $bytes)
        $hash = (Get-FileHash $file).Hash
        $job = Invoke-ChaosTest -Type Corruption -Path $file -Bytes 32 -DurationSeconds 3 -Force -AsJob
        $deadline = [datetime]::UtcNow.AddSeconds(15)
        while ((Get-FileHash $file).Hash -eq $hash -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        (Get-FileHash $file).Hash | Should -Not -Be $hash
        $result = Receive-Job $job -Wait -AutoRemoveJob
        $result.Verdict | Should -Be Passed
        $result.Latest('corruption.bytes_changed') | Should -Be 32
        (Get-FileHash $file).Hash | Should -Be $hash
    }

    It 'zeroes a page of a SQLite database and the rollback restores it' {
        $db = Join-Path $script:stateHome 'chaos.db'
        Get-ChaosResult | Out-Null
        $copy = Join-Path $script:scratch 'copy.db'
        Copy-Item $db $copy
        $hash = (Get-FileHash $copy).Hash
        $result = Invoke-ChaosTest -Type Corruption -Path $copy -Mode ZeroPage -DurationSeconds 1 -Force
        $result.Touched[0].Reverted | Should -BeTrue
        (Get-FileHash $copy).Hash | Should -Be $hash
    }
}

Describe 'Network proxy' {
    BeforeAll {
        # An echo server on loopback, in a thread of this session.
        $script:echo = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $script:echo.Start()
        $script:echoPort = $script:echo.LocalEndpoint.Port
        $script:echoJob = Start-ThreadJob -ArgumentList $script:echo -ScriptBlock {
            param($listener)
            # One connection at a time: the tests open one at a time and close it.
            while ($true) {
                $client = $listener.AcceptTcpClient()
                $stream = $client.GetStream(); $buffer = [byte[]]::new(4096)
                try { while (($n = $stream.Read($buffer, 0, 4096)) -gt 0) { $stream.Write($buffer, 0, $n) } } catch { }
                $client.Dispose()
            }
        }

        function Measure-RoundTrip([int] $Port, [int] $Count = 5) {
            $client = Connect-Loopback $Port; $client.NoDelay = $true; $client.ReceiveTimeout = 5000
            $stream = $client.GetStream(); $buffer = [byte[]]::new(16)
            $times = foreach ($i in 1..$Count) {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $stream.Write([byte[]](1..16), 0, 16)
                $read = 0
                while ($read -lt 16) { $n = $stream.Read($buffer, $read, 16 - $read); if ($n -le 0) { throw 'The connection closed.' }; $read += $n }
                $clock.Elapsed.TotalMilliseconds
            }
            $client.Dispose()
            ($times | Sort-Object)[[int][math]::Floor($Count / 2)]
        }
    }
    AfterAll { $script:echo.Stop(); Stop-Job $script:echoJob; Remove-Job $script:echoJob -Force }

    It 'adds the latency asked to the downstream data, and the proxy is gone afterwards' {
        $port = Get-FreePort
        $job = Invoke-ChaosTest -Type Network -Target "127.0.0.1:$script:echoPort" -ListenPort $port -LatencyMs 100 -DurationSeconds 4 -Force -AsJob
        $deadline = [datetime]::UtcNow.AddSeconds(15)
        do { Start-Sleep -Milliseconds 100; $ready = try { (Connect-Loopback $port).Dispose(); $true } catch { $false } }
        until ($ready -or [datetime]::UtcNow -gt $deadline)
        $direct = Measure-RoundTrip $script:echoPort
        $proxied = Measure-RoundTrip $port
        ($proxied - $direct) | Should -BeGreaterThan 90
        # The upper bound leaves room for thread scheduling on a busy machine.
        ($proxied - $direct) | Should -BeLessThan 150
        $result = Receive-Job $job -Wait -AutoRemoveJob
        $result.Verdict | Should -Be Passed
        $result.Parameters.ProxyEndpoint | Should -Be "127.0.0.1:$port"
        { Connect-Loopback $port } | Should -Throw
        ($result.Touched | Where-Object Kind -eq Proxy).Reverted | Should -BeTrue
    }

    It 'down resets every connection' {
        $port = Get-FreePort
        $job = Invoke-ChaosTest -Type Network -Target "127.0.0.1:$script:echoPort" -ListenPort $port -Down -DurationSeconds 3 -Force -AsJob
        Start-Sleep -Milliseconds 800
        { Measure-RoundTrip $port 1 } | Should -Throw
        Measure-RoundTrip $script:echoPort 1 | Should -BeLessThan 50
        Receive-Job $job -Wait -AutoRemoveJob | Out-Null
    }
}

Describe 'Results' {
    It 'Get-ChaosResult lists every test newest first, filters by type, and exports the journal as JSON' {
        $all = @(Get-ChaosResult)
        $all.Count | Should -BeGreaterThan 5
        $all[0].StartTime | Should -BeGreaterOrEqual $all[-1].StartTime
        @(Get-ChaosResult -Type Cpu).Type | Sort-Object -Unique | Should -Be 'Cpu'
        $json = Get-ChaosResult -Type Memory -First 1 -AsJson | ConvertFrom-Json
        $json.Measurements.Count | Should -BeGreaterThan 0
        $json.Verdict | Should -Be 'Passed'
        if (-not $IsWindows) { [int](Get-Item (Join-Path $script:stateHome 'chaos.db')).UnixFileMode | Should -Be 384 }
    }

    It 'Test-ChaosReadiness reports the faults as allowed when CHAOS_ENABLED is true' {
        (Test-ChaosReadiness | Where-Object Fault -eq 'Cpu').Ready | Should -BeTrue
    }
}
