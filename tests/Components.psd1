# The parts of the test suite: `./build.ps1 Test -Component <name>` runs one, and the CI
# workflow runs one a matrix cell, so a red cell names the part. A part is its xunit folders
# (tests/WorkflowAutomation.Engine.Tests/<Folder>/, namespace WorkflowAutomation.Tests.<Folder>)
# and its Pester files (tests/Pester/<Prefix>*.Tests.ps1). Every test folder and Pester file
# belongs to exactly one part (Release.Tests.ps1 checks it): add a new one here.
@{
    Engine    = @{
        Description = 'The module as a whole: architecture rules, configuration, state store, dependency isolation, cmdlets hosted in-process, packaging, release and CI'
        Xunit       = @('Architecture', 'Configuration', 'State')
        # tests/WorkflowAutomation.PowerShell.Tests: the cmdlets in an in-process host.
        Hosted      = $true
        Pester      = @('Configuration', 'Isolation', 'Package', 'Release', 'Pipeline', 'Actionlint')
    }
    Workflows = @{
        Description = 'YAML parsing and validation, the executor (retries, timeouts, approvals, rollbacks), runs and their history'
        Xunit       = @('Workflows', 'Execution')
        Pester      = @('Workflows', 'Runs', 'Runbook', 'Interpolation')
    }
    Parallel  = @{
        Description = 'The prioritised parallel executor and batch files'
        Xunit       = @('Parallel')
        Pester      = @('Parallel')
    }
    Metrics   = @{
        Description = 'The SQLite metrics store, rollups, compaction, the inbox and exports'
        Xunit       = @('Metrics')
        Pester      = @('Metrics')
    }
    Daemon    = @{
        Description = 'The daemon: queue, schedules, circuit breakers, health, IPC, supervisor'
        Xunit       = @('Daemon')
        Pester      = @('Daemon')
    }
    Dashboard = @{
        Description = 'The dashboard served by the daemon'
        Xunit       = @('Dashboard')
        Pester      = @('Dashboard')
    }
    Hermetic  = @{
        Description = 'Hermetic environments, locks and the package cache'
        Xunit       = @('Hermetic')
        Pester      = @('Hermetic')
    }
    Chaos     = @{
        Description = 'Chaos tests and experiments'
        Xunit       = @('Chaos')
        Pester      = @('Chaos')
    }
}
