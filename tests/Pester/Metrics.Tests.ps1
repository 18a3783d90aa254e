BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Register-EngineTypes
    $script:stateHome = New-TestStateDirectory
}

Describe 'Write-WorkflowMetric' {
    It 'records a sample and returns it with -PassThru' {
        $sample = Write-WorkflowMetric -Name app.requests -Value 1234 -Type Counter -Tag @{ env = 'prod' } -PassThru
        $sample.Name | Should -Be 'app.requests'
        $sample.Value | Should -Be 1234
        $sample.Type | Should -Be 'Counter'
        $sample.Tags | Should -Be 'env=prod'
        $sample | Should -BeOfType ([WorkflowAutomation.Metrics.WorkflowMetricSample])
        (Get-WorkflowMetric -Name app.requests).Value | Should -Be 1234
    }

    It 'binds Name, Value, Type, Tags and Timestamp by property name from the pipeline' {
        $at = [datetimeoffset]::new((Get-Date).ToUniversalTime().Date.AddHours(-2), [timespan]::Zero)
        @(
            [pscustomobject]@{ Name = 'pipe.depth'; Value = 3; Type = 'gauge'; Tags = 'queue=build'; Timestamp = $at }
            [pscustomobject]@{ Name = 'pipe.depth'; Value = 5; Tags = @{ queue = 'build' }; Timestamp = $at.AddSeconds(10).UtcDateTime }
        ) | Write-WorkflowMetric
        $samples = Get-WorkflowMetric -Name pipe.depth -Start $at.UtcDateTime.AddMinutes(-1) -End $at.UtcDateTime.AddMinutes(1)
        $samples.Value | Should -Be 3, 5
        $samples.Tags | Should -Be 'queue=build', 'queue=build'
        $samples[1].Timestamp | Should -Be $at.AddSeconds(10)
    }

    It 'takes plain numbers from the pipeline and keeps every one of a fast burst' {
        1..500 | Write-WorkflowMetric -Name burst.values
        $values = (Get-WorkflowMetric -Name burst.values).Value
        $values.Count | Should -Be 500
        ($values | Measure-Object -Sum).Sum | Should -Be 125250
    }

    It 'reports a bad sample on its own and records the rest' {
        $errors = $null
        @(
            [pscustomobject]@{ Name = 'mixed.ok'; Value = 1 }
            [pscustomobject]@{ Name = '9bad'; Value = 2 }
            [pscustomobject]@{ Name = 'mixed.ok'; Value = 3 }
        ) | Write-WorkflowMetric -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'MetricNameInvalid*'
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-WorkflowMetric -Name mixed.ok).Value | Should -Be 1, 3
    }

    It 'reads CSV rows as text, refuses a value that is not a number by name, and records the rest' {
        $csv = Join-Path $script:stateHome 'readings.csv'
        Set-Content $csv "Name,Value,Type,Tags,Timestamp`ncsv.depth,4.5,gauge,queue=build,2026-01-01T00:00:00Z`ncsv.depth,lots,gauge,queue=build,2026-01-01T00:00:10Z`ncsv.depth,6,gauge,queue=build,2026-01-01T00:00:20Z"
        $errors = $null
        Import-Csv $csv | Write-WorkflowMetric -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'MetricValueInvalid*'
        $errors[0].Exception.Message | Should -BeLike "'lots' is not a number*csv.depth*"
        $samples = Get-WorkflowMetric -Name csv.depth -Start ([datetime]'2025-12-31') -End ([datetime]'2026-01-02') -Resolution Raw
        $samples.Value | Should -Be 4.5, 6
        $samples.Tags | Sort-Object -Unique | Should -Be 'queue=build'
        $samples[0].Timestamp | Should -Be ([datetimeoffset]'2026-01-01T00:00:00Z')
    }

    It 'refuses a counter written as a gauge' {
        { Write-WorkflowMetric -Name app.requests -Value 1 -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'app.requests' is a Counter*"
    }

    It 'takes samples from several processes at once without lock errors or losses' {
        $jobs = 1..2 | ForEach-Object {
            Start-Job -ArgumentList $_, $env:WORKFLOW_AUTOMATION_TEST_MODULE -ScriptBlock {
                param($n, $module)
                Import-Module $module
                1..3000 | Write-WorkflowMetric -Name "procs.writer$n" -ErrorAction Stop
            }
        }
        1..3000 | Write-WorkflowMetric -Name procs.writer0
        $jobs | Wait-Job -Timeout 120 | Receive-Job -ErrorAction Stop
        $jobs | Remove-Job -Force
        foreach ($n in 0..2) {
            (Get-WorkflowMetric -Name "procs.writer$n" -Resolution Raw -Aggregate Count).Value | Should -Be 3000
        }
    }

    It 'writes nothing with -WhatIf' {
        Write-WorkflowMetric -Name whatif.metric -Value 1 -WhatIf
        Get-WorkflowMetric -ListAvailable -Name whatif.* | Should -BeNullOrEmpty
    }
}

Describe 'Get-WorkflowMetric' {
    BeforeAll {
        # A known series an hour ago: 10 s apart, values 0..359, so every 1m bucket holds six.
        $script:origin = [datetimeoffset]::new((Get-Date).ToUniversalTime().Date.AddDays(-1), [timespan]::Zero)
        0..359 | ForEach-Object { [pscustomobject]@{ Name = 'known.gauge'; Value = $_; Timestamp = $script:origin.AddSeconds(10 * $_) } } |
            Write-WorkflowMetric
    }

    It 'answers the system.* query a user types, after a collector tick' {
        $store = [WorkflowAutomation.Metrics.MetricStore]::Open([WorkflowAutomation.Platform.StateDirectory]::Resolve())
        try {
            $collector = [WorkflowAutomation.Metrics.Collectors.SystemMetricsCollector]::new($store.Writer)
            $collector.Collect() | Should -BeGreaterThan 0
        }
        finally { $store.Dispose() }
        # The README's example: one unit (percent), raw samples for "the last hour" as typed.
        $samples = Get-WorkflowMetric -Name system.memory.usage -Start (Get-Date).AddHours(-1)
        $samples.Resolution | Sort-Object -Unique | Should -Be 'Raw'
        $measure = $samples | Measure-Object Value -Average -Maximum
        $measure.Count | Should -BeGreaterThan 0
        $measure.Average | Should -BeGreaterThan 0
        $measure.Maximum | Should -BeLessOrEqual 100
    }

    It 'says why a query finds nothing, and that only a daemon collects system metrics' {
        $said = Get-WorkflowMetric -Name 'nothing.*' -Verbose 4>&1
        "$said" | Should -Match "No stored series matches 'nothing\.\*'"
        $said = Get-WorkflowMetric -Name known.gauge -Start (Get-Date).AddYears(-20) -End (Get-Date).AddYears(-20).AddMinutes(5) -Verbose 4>&1
        "$said" | Should -Match '1 series match .known\.gauge., but none has a sample between'
        $null = New-TestStateDirectory
        try {
            $warned = Get-WorkflowMetric -Name 'system.*' 3>&1
            "$warned" | Should -Match 'system\.\* metrics are collected only by the daemon.*Start-WorkflowDaemon'
        }
        finally { $env:WORKFLOW_AUTOMATION_HOME = $script:stateHome }
    }

    It 'lists series with their newest value and time, every digit shown' {
        $at = Get-Date
        Write-WorkflowMetric -Name big.bytes -Value 8123456789 -Timestamp $at
        $text = Get-WorkflowMetric -ListAvailable -Name big.bytes | Out-String -Width 200
        $text | Should -Match '8\D?123\D?456\D?789'
        $text | Should -Not -Match 'E\+'
        $text | Should -Match ([regex]::Escape($at.ToString('yyyy-MM-dd HH:mm:ss')))
    }

    It 'reads rollups with every aggregate' {
        $range = @{ Name = 'known.gauge'; Start = $script:origin.UtcDateTime; End = $script:origin.UtcDateTime.AddMinutes(1).AddMilliseconds(-1); Resolution = '1m' }
        (Get-WorkflowMetric @range).Value | Should -Be 2.5
        (Get-WorkflowMetric @range -Aggregate Min).Value | Should -Be 0
        (Get-WorkflowMetric @range -Aggregate Max).Value | Should -Be 5
        (Get-WorkflowMetric @range -Aggregate Sum).Value | Should -Be 15
        (Get-WorkflowMetric @range -Aggregate Count).Value | Should -Be 6
        (Get-WorkflowMetric @range -Aggregate Last).Value | Should -Be 5
        (Get-WorkflowMetric @range).Resolution | Should -Be '1m'
        $hour = Get-WorkflowMetric -Name known.gauge -Start $script:origin.UtcDateTime -End $script:origin.UtcDateTime.AddMinutes(59) -Resolution 1h -Aggregate Sum
        $hour.Value | Should -Be (359 * 360 / 2)
    }

    It 'chooses the resolution from the range' {
        (Get-WorkflowMetric -Name known.gauge -Start $script:origin.UtcDateTime -End $script:origin.UtcDateTime.AddMinutes(30))[0].Resolution | Should -Be 'Raw'
        (Get-WorkflowMetric -Name known.gauge -Start $script:origin.UtcDateTime -End $script:origin.UtcDateTime.AddHours(5))[0].Resolution | Should -Be '1m'
    }

    It 'computes a counter rate across a reset' {
        $t = $script:origin.AddHours(2)
        10, 20, 30, 5, 15, 25 | ForEach-Object -Begin { $i = 1 } -Process {
            [pscustomobject]@{ Name = 'known.counter'; Value = $_; Type = 'Counter'; Timestamp = $t.AddSeconds(10 * $i++) }
        } | Write-WorkflowMetric
        $rate = Get-WorkflowMetric -Name known.counter -Start $t.UtcDateTime -End $t.UtcDateTime.AddSeconds(60) -Resolution Raw -Aggregate Rate
        [math]::Round($rate.Value, 10) | Should -Be 0.9
    }

    It 'filters by tags and lists series' {
        Write-WorkflowMetric -Name tagged.x -Value 1 -Tag @{ env = 'prod' }
        Write-WorkflowMetric -Name tagged.x -Value 2 -Tag @{ env = 'test' }
        (Get-WorkflowMetric -Name tagged.x -Tag @{ env = 'test' }).Value | Should -Be 2
        $series = Get-WorkflowMetric -ListAvailable -Name tagged.*
        $series.Tags | Should -Be 'env=prod', 'env=test'
        $series[0] | Should -BeOfType ([WorkflowAutomation.Metrics.WorkflowMetricSeries])
    }

    It 'gives objects that Export-Csv and ConvertTo-Json handle' {
        $csv = Join-Path $TestDrive 'samples.csv'
        Get-WorkflowMetric -Name tagged.x | Export-Csv $csv
        $rows = Import-Csv $csv
        $rows.Name | Should -Be 'tagged.x', 'tagged.x'
        $rows.Tags | Should -Be 'env=prod', 'env=test'
        $json = Get-WorkflowMetric -Name tagged.x | ConvertTo-Json | ConvertFrom-Json
        $json[0].Type | Should -Be 'Gauge'
        $json[0].Value | Should -Be 1
    }

    It 'names an unknown metric and suggests the closest' {
        { Get-WorkflowMetric -Name known.gauje -ErrorAction Stop } | Should -Throw -ExpectedMessage "*Did you mean 'known.gauge'*"
        $error[0].FullyQualifiedErrorId | Should -BeLike 'MetricNotFound*'
        Get-WorkflowMetric -Name 'nothing.*' | Should -BeNullOrEmpty
    }

    It 'completes metric names' {
        $line = 'Get-WorkflowMetric -Name known.g'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'known.gauge'
    }

    It 'shows samples as a table by default' {
        $text = Get-WorkflowMetric -Name tagged.x | Out-String -Width 200
        $text | Should -Match 'Timestamp\s+Name\s+Value\s+Type\s+Res\s+Tags'
        $text | Should -Match 'tagged\.x\s+1\s+Gauge\s+Raw\s+env=prod'
    }
}

Describe 'Export-WorkflowMetric' {
    It 'writes Prometheus text format 0.0.4' {
        $text = Export-WorkflowMetric -Format Prometheus -Name app.requests
        $text | Should -BeLike "*# HELP app_requests_total app.requests (counter)`n# TYPE app_requests_total counter`napp_requests_total{env=`"prod`"} 1234`n*"
    }

    It 'writes CSV and JSON' {
        (Export-WorkflowMetric -Format Csv -Name tagged.x) | Should -BeLike 'Name,Timestamp,Value,Type,Tags,Resolution*tagged.x,*,1,Gauge,env=prod,Raw*'
        $json = Export-WorkflowMetric -Format Json -Name tagged.x | ConvertFrom-Json
        $json.name | Should -Be 'tagged.x', 'tagged.x'
        $json[1].tags.env | Should -Be 'test'
    }
}

Describe 'Metrics inbox' {
    It 'ingests a good file once and keeps a bad one aside with its reason' {
        $inboxFolder = Join-Path $script:stateHome 'metrics-inbox'
        New-Item -ItemType Directory -Force $inboxFolder | Out-Null
        '[{"name": "inbox.requests", "value": 1234, "type": "counter"}]' | Set-Content (Join-Path $inboxFolder 'good.json')
        '[{"name": "inbox.other", "value": 1}, {"name": "inbox.latency", "vaule": 45.2}]' | Set-Content (Join-Path $inboxFolder 'bad.json')
        $store = [WorkflowAutomation.Metrics.MetricStore]::Open([WorkflowAutomation.Platform.StateDirectory]::Resolve())
        try {
            $inbox = [WorkflowAutomation.Metrics.MetricsInbox]::new([WorkflowAutomation.Platform.StateDirectory]::Resolve(), $store.Writer)
            $result = $inbox.IngestPending()
        }
        finally { $store.Dispose() }
        $result.FilesIngested | Should -Be 1
        (Get-WorkflowMetric -Name inbox.requests).Value | Should -Be 1234
        Get-WorkflowMetric -Name inbox.other -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-Path (Join-Path $inboxFolder 'good.json') | Should -BeFalse
        Get-Content (Join-Path $inboxFolder 'rejected/bad.json.reason') -Raw | Should -BeLike "*entry 2 ('inbox.latency'): unknown key 'vaule'*"
    }
}
