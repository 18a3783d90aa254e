# How the module behaves in runbooks and scheduled tasks: no console to answer prompts.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
}

Describe 'A console session whose input is redirected' {
    It 'stops at an approval gate with a clear error instead of prompting' {
        $workflow = Join-Path $TestDrive 'gated.yaml'
        Set-Content $workflow @'
name: gated
steps:
  - name: deploy
    command: "'deployed'"
    approval_required: true
'@
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        $script = "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
            `$run = Invoke-Workflow -Path '$workflow' -ErrorAction SilentlyContinue -ErrorVariable failure
            'status=' + `$run.Status
            'error=' + `$failure[0].FullyQualifiedErrorId"
        # Piping into pwsh redirects its standard input, as a scheduler or CI does.
        $output = '' | & $pwsh -NoProfile -Command $script 2>&1 | ForEach-Object { "$_" }
        $output | Should -Contain 'status=Failed'
        ($output -match '^error=') | Should -BeLike 'error=WorkflowApprovalRequired*'
        ($output -join "`n") | Should -Not -Match 'Object reference'
    }
}
