# Release readiness: one version (version.txt) in the manifest, the assemblies, the package and
# the changelog; the licence; the checks a gallery applies; the test parts the CI matrix runs.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:root = (Resolve-Path "$PSScriptRoot/../..").ProviderPath
    $script:moduleFolder = Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE
    $script:manifest = Import-PowerShellDataFile $env:WORKFLOW_AUTOMATION_TEST_MODULE
    $script:versionText = (Get-Content (Join-Path $root 'version.txt') -Raw).Trim()
    $script:version, $script:label = $versionText -split '-', 2
    $script:package = Get-ChildItem (Join-Path (Split-Path $moduleFolder) 'repository') -Filter 'WorkflowAutomation.*.nupkg' | Select-Object -First 1
    $script:readiness = Join-Path $root 'module/tools/Test-GalleryReadiness.ps1'
    function Invoke-Readiness([string] $Package) {
        Invoke-ChildPwsh -Script "& '$script:readiness' -PackagePath '$Package' | ForEach-Object { 'finding ' + `$_.Rule + ': ' + `$_.Message }"
    }
}

Describe 'One version, from version.txt' {
    It 'is a semantic version with an optional prerelease label' {
        $script:versionText | Should -Match '^\d+\.\d+\.\d+(-[A-Za-z][A-Za-z0-9]*)?$'
    }

    It 'is the manifest version and prerelease label' {
        $script:manifest.ModuleVersion | Should -Be $script:version
        $script:manifest.PrivateData.PSData['Prerelease'] | Should -Be $script:label
    }

    It 'is the version of every WorkflowAutomation assembly' {
        $assemblies = Get-ChildItem $script:moduleFolder -Recurse -Filter 'WorkflowAutomation.*.dll' | Sort-Object Name
        $assemblies.Name | Should -Contain 'WorkflowAutomation.Engine.dll'
        $assemblies.Name | Should -Contain 'WorkflowAutomation.PowerShell.dll'
        foreach ($assembly in $assemblies) {
            [Reflection.AssemblyName]::GetAssemblyName($assembly.FullName).Version | Should -Be ([version]"$script:version.0")
            [Diagnostics.FileVersionInfo]::GetVersionInfo($assembly.FullName).ProductVersion | Should -BeLike "$script:versionText*"
        }
    }

    It 'is the version of the package' {
        $script:package.Name | Should -Be "WorkflowAutomation.$script:versionText.nupkg"
    }

    It 'has a dated CHANGELOG.md section in Keep a Changelog form, which is the release notes' {
        $changelog = Get-Content (Join-Path $script:root 'CHANGELOG.md')
        $changelog[0] | Should -Be '# Changelog'
        $changelog | Should -Contain '## [Unreleased]'
        $sections = @($changelog | Where-Object { $_ -match '^## \[' })
        $sections[0] | Should -Be '## [Unreleased]'
        $sections[1..($sections.Count - 1)] | ForEach-Object { $_ | Should -Match '^## \[\d+\.\d+\.\d+(-[A-Za-z0-9]+)?\] - \d{4}-\d{2}-\d{2}$' }
        $sections[1] | Should -BeLike "## ``[$script:version``] - *" -Because 'the newest release is the one version.txt names'
        $changelog | Should -Contain "[$script:version]: https://github.com/workflow-automation/WorkflowAutomation/releases/tag/v$script:version"
        $script:manifest.PrivateData.PSData.ReleaseNotes | Should -Match '^### Added'
        $script:manifest.PrivateData.PSData.ReleaseNotes | Should -Not -Match '## \['
    }
}

Describe 'Licence and the gallery' {
    It 'is MIT licensed, and the module ships the licence' {
        $licence = Get-Content (Join-Path $script:root 'LICENSE')
        $licence[0] | Should -Be 'MIT License'
        Join-Path $script:moduleFolder 'LICENSE' | Should -Exist
        $script:manifest.PrivateData.PSData.LicenseUri | Should -BeLike 'https://*/LICENSE'
    }

    It 'passes the checks a gallery applies (manifest, metadata, file list, help, versions)' {
        $result = Invoke-Readiness $script:package.FullName
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -BeNullOrEmpty
    }

    It 'finds what a gallery refuses: a file the manifest does not list, a missing project URI' {
        $tampered = Join-Path ([IO.Path]::GetTempPath()) ("wa-tampered-" + [guid]::NewGuid().ToString('n') + '.nupkg')
        Copy-Item $script:package.FullName $tampered
        Add-Type -AssemblyName System.IO.Compression
        $zip = [IO.Compression.ZipFile]::Open($tampered, 'Update')
        try {
            $entry = $zip.GetEntry('WorkflowAutomation.psd1')
            $reader = [IO.StreamReader]::new($entry.Open())
            $text = $reader.ReadToEnd() -replace "(?m)^\s*ProjectUri\s*=.*$", ''
            $reader.Dispose()
            $entry.Delete()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('WorkflowAutomation.psd1').Open())
            $writer.Write($text)
            $writer.Dispose()
            $writer = [IO.StreamWriter]::new($zip.CreateEntry('notes.tmp').Open())
            $writer.Write('left behind')
            $writer.Dispose()
        }
        finally { $zip.Dispose() }
        $result = Invoke-Readiness $tampered
        Remove-Item $tampered
        $result.Output | Should -Contain "finding UnlistedFile: The package carries 'notes.tmp', which the manifest's FileList does not name."
        $result.Output | Should -Contain 'finding MissingProjectUri: PrivateData.PSData has no ProjectUri.'
    }
}

Describe 'Test parts (./build.ps1 Test -Component)' {
    BeforeAll {
        $script:parts = Import-PowerShellDataFile (Join-Path $script:root 'tests/Components.psd1')
    }

    It 'puts every xunit folder and every Pester file in exactly one part' {
        $engineTests = Join-Path $script:root 'tests/WorkflowAutomation.Engine.Tests'
        $folders = Get-ChildItem $engineTests -Directory | Where-Object { Get-ChildItem $_.FullName -Recurse -Filter *.cs } | ForEach-Object Name
        foreach ($folder in $folders) {
            @($script:parts.Values | Where-Object { $_.Xunit -contains $folder }).Count | Should -Be 1 -Because "tests/WorkflowAutomation.Engine.Tests/$folder belongs to one part"
            # A part selects its tests by namespace (...Tests.<Folder>), so a test must live in its folder's namespace.
            foreach ($file in Get-ChildItem (Join-Path $engineTests $folder) -Recurse -Filter *.cs | Where-Object { (Get-Content $_.FullName -Raw) -match '\[(Fact|Theory)' }) {
                (Get-Content $file.FullName -Raw) | Should -Match "(?m)^namespace [\w.]+\.Tests\.$folder(\.[\w.]+)?;" -Because "$($file.Name) is in tests/WorkflowAutomation.Engine.Tests/$folder"
            }
        }
        Get-ChildItem $engineTests -Filter *.cs | Get-Content -Raw | Should -Not -Match '\[(Fact|Theory)' -Because 'a test outside a folder belongs to no part'
        foreach ($file in Get-ChildItem (Join-Path $script:root 'tests/Pester') -Filter *.Tests.ps1) {
            $owners = @($script:parts.Keys | Where-Object { @($script:parts[$_].Pester | Where-Object { $file.Name -like "$_*.Tests.ps1" }).Count })
            $owners.Count | Should -Be 1 -Because "$($file.Name) belongs to one part (it matches: $($owners -join ', '))"
        }
    }

    It 'fails a part that has no tests, saying so' {
        $empty = Join-Path ([IO.Path]::GetTempPath()) ("wa-parts-" + [guid]::NewGuid().ToString('n') + '.psd1')
        Set-Content $empty "@{ Chaos = @{ Description = 'none yet'; Xunit = @('NoSuchFolder'); Pester = @('NoSuchPrefix') } }"
        $result = Invoke-ChildPwsh -Environment @{ WORKFLOW_AUTOMATION_TEST_COMPONENTS = $empty } -Script "& '$script:root/build.ps1' -Task Test -Component Chaos -NoBuild"
        Remove-Item $empty
        $result.ExitCode | Should -Be 1
        $result.Output | Should -Contain 'FAILED: component Chaos has no tests yet (no tests/WorkflowAutomation.Engine.Tests/NoSuchFolder/*.cs, no tests/Pester/NoSuchPrefix*.Tests.ps1).'
        $result.Output[-1] | Should -Be '0 passed, 1 failed'
    }
}
