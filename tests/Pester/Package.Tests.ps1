# The package round trip: what a user gets from Install-PSResource, in a fresh pwsh with an
# isolated module path and home, imported by name.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:repository = Join-Path (Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE | Split-Path) 'repository'
    $script:package = Get-ChildItem $script:repository -Filter 'WorkflowAutomation.*.nupkg' -ErrorAction Ignore | Select-Object -First 1
}

Describe 'Package round trip' {
    It 'publishes a .nupkg to the folder repository' {
        $script:package | Should -Not -BeNullOrEmpty -Because 'build.ps1 Test publishes the package before the suite runs'
    }

    It 'installs with Install-PSResource into an isolated path, imports by name and runs a cmdlet' {
        $isolated = Join-Path ([IO.Path]::GetTempPath()) ("wa-install-" + [guid]::NewGuid().ToString('n'))
        $state = Join-Path $isolated 'state'
        # .NET reports a per-user folder only once it exists.
        New-Item -ItemType Directory -Force (Join-Path $isolated '.local/share'), (Join-Path $isolated '.config') | Out-Null
        $result = Invoke-ChildPwsh -Environment @{
            HOME = $isolated; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null
            PSModulePath = $null; WORKFLOW_AUTOMATION_HOME = $state
        } -Script "
            `$ErrorActionPreference = 'Stop'
            Register-PSResourceRepository -Name RoundTrip -Uri '$script:repository' -Trusted
            Install-PSResource -Name WorkflowAutomation -Repository RoundTrip -Scope CurrentUser -TrustRepository
            Import-Module WorkflowAutomation
            `$module = Get-Module WorkflowAutomation
            'installed-at=' + `$module.ModuleBase
            Initialize-WorkflowFramework | Out-Null
            'port=' + (Get-WorkflowConfiguration DASHBOARD_PORT).Value
        "
        $registered = Test-Path (Join-Path $isolated '.local/share/PSResourceGet/PSResourceRepository.xml')
        Remove-Item $isolated -Recurse -Force -ErrorAction Ignore
        $registered | Should -BeTrue -Because 'the repository registration stays inside the isolated home'
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        ($result.Output -match '^installed-at=') | Should -BeLike "installed-at=$isolated*"
        $result.Output | Should -Contain 'port=8080'
    }
}

Describe 'What Package prints' {
    It 'prints install commands that work when pasted into a fresh pwsh' {
        $isolated = Join-Path ([IO.Path]::GetTempPath()) ("wa-paste-" + [guid]::NewGuid().ToString('n'))
        $repository = New-Item -ItemType Directory -Force (Join-Path $isolated 'repository')
        New-Item -ItemType Directory -Force (Join-Path $isolated '.local/share'), (Join-Path $isolated '.config') | Out-Null
        try {
            $tool = Join-Path $PSScriptRoot '../../module/tools/Publish-LocalPackage.ps1'
            $printed = Invoke-ChildPwsh -Script "& '$tool' -ModulePath '$(Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE)' -RepositoryPath '$repository' -IsolatedHome '$(Join-Path $isolated 'publisher')'"
            $printed.ExitCode | Should -Be 0 -Because ($printed.Output -join "`n")
            $commands = $printed.Output | Where-Object { $_ -match '^\s+(Register-PSResourceRepository|Install-PSResource|Import-Module WorkflowAutomation$)' } | ForEach-Object Trim
            $commands.Count | Should -Be 3
            $printed.Output -match "Import-Module '.*WorkflowAutomation\.psd1'" | Should -Not -BeNullOrEmpty

            $pasted = Invoke-ChildPwsh -Environment @{
                HOME = $isolated; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; PSModulePath = $null
                WORKFLOW_AUTOMATION_HOME = (Join-Path $isolated 'state')
            } -Script "`$ErrorActionPreference = 'Stop'; $($commands -join '; '); (Get-Module WorkflowAutomation).ModuleBase; (Get-Command Invoke-Workflow).Name"
            $pasted.ExitCode | Should -Be 0 -Because ($pasted.Output -join "`n")
            $pasted.Output | Should -Contain 'Invoke-Workflow'
            ($pasted.Output | Where-Object { $_ -like "$isolated*" }) | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item $isolated -Recurse -Force -ErrorAction Ignore }
    }
}
