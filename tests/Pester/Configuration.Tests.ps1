BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
}

Describe 'State directory' {
    It 'Initialize-WorkflowFramework creates an owner-only folder, a configuration and an example workflow' {
        $info = Initialize-WorkflowFramework
        $info.StateDirectory | Should -Be $script:stateHome
        Test-Path $info.ConfigurationFile | Should -BeTrue
        Test-Path $info.ExampleWorkflow | Should -BeTrue
        if (-not $IsWindows) {
            [int](Get-Item $script:stateHome).UnixFileMode | Should -Be 448  # 0700
            [int](Get-Item $info.ConfigurationFile).UnixFileMode | Should -Be 384  # 0600
        }
    }

    It 'keeps existing files on a second run' {
        Set-WorkflowConfiguration -Name DASHBOARD_PORT -Value 9191
        $again = Initialize-WorkflowFramework
        $again.Created | Should -BeNullOrEmpty
        (Get-WorkflowConfiguration DASHBOARD_PORT).Value | Should -Be 9191
    }

    It 'falls back to the XDG state folder on Linux when WORKFLOW_AUTOMATION_HOME is unset' {
        $result = Invoke-ChildPwsh -Environment @{ WORKFLOW_AUTOMATION_HOME = $null; XDG_STATE_HOME = '/srv/state-test' } -Script "
            Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
            Initialize-WorkflowFramework -WhatIf
        "
        ($result.Output -join "`n") | Should -Match '/srv/state-test/WorkflowAutomation'
    }
}

Describe 'Configuration' {
    It 'lists every key of the seed with its default and source' {
        $settings = Get-WorkflowConfiguration
        $settings.Key | Should -Contain 'MAX_PARALLEL_WORKFLOWS'
        $settings.Key | Should -Contain 'CHAOS_ENABLED'
        (Get-WorkflowConfiguration MAX_PARALLEL_WORKFLOWS).Value | Should -Be 20
        (Get-WorkflowConfiguration CIRCUIT_BREAKER_THRESHOLD).Source | Should -Be 'Default'
        (Get-WorkflowConfiguration HEALTH_CHECK_INTERVAL).Value | Should -Be ([timespan]::FromSeconds(30))
        (Get-WorkflowConfiguration MAX_PARALLEL_WORKERS).Value | Should -Be ([Environment]::ProcessorCount)
    }

    It 'writes a value to the file and reads it back' {
        Set-WorkflowConfiguration -Name MAX_PARALLEL_WORKFLOWS -Value 8
        $setting = Get-WorkflowConfiguration -Name MAX_PARALLEL_WORKFLOWS
        $setting.Value | Should -Be 8
        $setting.Source | Should -Be 'File'
        Get-Content (Join-Path $script:stateHome 'workflow.conf') | Should -Contain 'MAX_PARALLEL_WORKFLOWS=8'
    }

    It 'lets an environment variable override the file' {
        $env:CIRCUIT_BREAKER_THRESHOLD = '3'
        try {
            $setting = Get-WorkflowConfiguration CIRCUIT_BREAKER_THRESHOLD
            $setting.Value | Should -Be 3
            $setting.Source | Should -Be 'Environment'
        }
        finally { Remove-Item env:CIRCUIT_BREAKER_THRESHOLD }
    }

    It 'refuses an invalid value, naming the key and what is allowed, and changes nothing' {
        $before = Get-Content (Join-Path $script:stateHome 'workflow.conf') -Raw
        { Set-WorkflowConfiguration -Name DASHBOARD_PORT -Value 70000 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage '*DASHBOARD_PORT*integer from 1 to 65535*'
        $error[0].FullyQualifiedErrorId | Should -BeLike 'ConfigurationValueInvalid*'
        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-Content (Join-Path $script:stateHome 'workflow.conf') -Raw | Should -Be $before
    }

    It 'suggests the closest key for a typo' {
        { Set-WorkflowConfiguration -Name MAX_PARALEL_WORKERS -Value 2 -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*Did you mean 'MAX_PARALLEL_WORKERS'*"
    }

    It 'names the file and line of a bad value written by hand' {
        Add-Content (Join-Path $script:stateHome 'workflow.conf') 'CHAOS_ENABLED=maybe'
        $line = (Get-Content (Join-Path $script:stateHome 'workflow.conf')).Count
        { Get-WorkflowConfiguration -ErrorAction Stop } | Should -Throw -ExpectedMessage "*workflow.conf:$line*true or false*"
        Set-WorkflowConfiguration CHAOS_ENABLED $false
        (Get-WorkflowConfiguration CHAOS_ENABLED).Value | Should -BeFalse
    }

    It 'supports -WhatIf without writing' {
        Set-WorkflowConfiguration -Name DASHBOARD_PORT -Value 8181 -WhatIf
        (Get-WorkflowConfiguration DASHBOARD_PORT).Value | Should -Not -Be 8181
    }

    It 'completes key names' {
        $completion = TabExpansion2 -inputScript 'Get-WorkflowConfiguration -Name DASH' -cursorColumn 36
        $completion.CompletionMatches.CompletionText | Should -Contain 'DASHBOARD_PORT'
    }
}
