# A chaos test killed with SIGKILL leaves its rollback journal: -Recover, or the next test, undoes what it left.
BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:scratch = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ("wa-chaos-" + [guid]::NewGuid().ToString('n')))
    $env:CHAOS_ENABLED = 'true'

    function Start-KilledCorruption([string] $File) {
        # A child session corrupts the file for a minute; it is killed once the damage is done.
        $hash = (Get-FileHash $File).Hash
        $pwsh = Join-Path $PSHOME 'pwsh'
        $script = "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Invoke-ChaosTest -Type Corruption -Path '$File' -Bytes 64 -DurationSeconds 60 -Force"
        $child = Start-Process $pwsh -ArgumentList '-NoProfile', '-NonInteractive', '-Command', $script -PassThru
        $deadline = [datetime]::UtcNow.AddSeconds(60)
        while ((Get-FileHash $File).Hash -eq $hash -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        Start-Sleep -Milliseconds 200
        & kill -9 $child.Id
        $child.WaitForExit()
        $hash
    }
}

AfterAll {
    Remove-Item Env:CHAOS_ENABLED -ErrorAction Ignore
    Remove-Item $script:scratch -Recurse -Force -ErrorAction Ignore
}

Describe 'Crash recovery' {
    It 'Invoke-ChaosTest -Recover restores a file a killed test left corrupted, byte for byte' {
        $file = Join-Path $script:scratch 'inbox.json'
        Set-Content $file ('[' + ((1..400 | ForEach-Object { '{"name":"app.requests","value":' + $_ + '}' }) -join ',') + ']') -NoNewline
        $hash = Start-KilledCorruption $file
        (Get-FileHash $file).Hash | Should -Not -Be $hash
        @(Get-ChildItem (Join-Path $script:stateHome 'chaos/rollback')).Count | Should -Be 1

        Invoke-ChaosTest -Recover -WhatIf
        (Get-FileHash $file).Hash | Should -Not -Be $hash

        $reverted = @(Invoke-ChaosTest -Recover -Force)
        $reverted.Count | Should -Be 1
        $reverted[0].Reverted | Should -BeTrue
        $reverted[0].What | Should -Be $file
        (Get-FileHash $file).Hash | Should -Be $hash
        @(Get-ChildItem (Join-Path $script:stateHome 'chaos/rollback')).Count | Should -Be 0
        @(Get-ChildItem (Join-Path $script:stateHome 'chaos/backups')).Count | Should -Be 0
    }

    It 'the next chaos test undoes what a killed one left, and says so' {
        $file = Join-Path $script:scratch 'artifact.bin'
        $bytes = [byte[]]::new(8192); [Random]::new(5).NextBytes($bytes); [IO.File]::WriteAllBytes($file, $bytes)
        $hash = Start-KilledCorruption $file
        (Get-FileHash $file).Hash | Should -Not -Be $hash
        # What is tested is the recovery; the memory fault's own verdict depends on what else the machine does.
        $result = Invoke-ChaosTest -Type Memory -MegaBytes 64 -DurationSeconds 1 -Force -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
        $result | Should -Not -BeNullOrEmpty
        ($warnings -join "`n") | Should -Match ([regex]::Escape($file))
        (Get-FileHash $file).Hash | Should -Be $hash
    }
}
