@{
    RootModule           = 'WorkflowAutomation.PowerShell.dll'
    # The records and enums users see, loaded in PowerShell's own context before the cmdlets.
    RequiredAssemblies   = @('WorkflowAutomation.Contracts.dll')
    # Stamped by build.ps1 from version.txt, the one version source.
    ModuleVersion        = '0.0.0'
    GUID                 = '5d0b7f0e-3c7e-4a52-9b7e-0f6c2a1d4e83'
    Author               = 'WorkflowAutomation contributors'
    CompanyName          = 'WorkflowAutomation'
    Copyright            = '(c) WorkflowAutomation contributors. MIT License.'
    Description          = 'Durable YAML workflows (dependencies, retries, timeouts, approvals, rollbacks), a daemon with schedules, circuit breakers, health checks and a live web dashboard, a prioritised parallel executor, a SQLite metrics store, hermetic environments and chaos tests, driven from PowerShell.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # Filled in by build.ps1 from the compiled cmdlets and module/*.Format.ps1xml.
    CmdletsToExport      = @()
    FormatsToProcess     = @()
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Workflow', 'Automation', 'YAML', 'Daemon', 'Metrics', 'Parallel', 'Linux', 'MacOS', 'Windows', 'PSEdition_Core')
            LicenseUri   = 'https://github.com/workflow-automation/WorkflowAutomation/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/workflow-automation/WorkflowAutomation'
            IconUri      = 'https://raw.githubusercontent.com/workflow-automation/WorkflowAutomation/main/module/icon.png'
            # Stamped by build.ps1: the CHANGELOG.md section of this version, and the label of a prerelease.
            ReleaseNotes = ''
            Prerelease   = ''
        }
    }
}
