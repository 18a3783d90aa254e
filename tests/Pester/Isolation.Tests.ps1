# The module's dependencies live in their own AssemblyLoadContext: another YamlDotNet in the
# same process, loaded before or after the module, must not break it, nor be broken by it.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) { $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim() }
    # Restored by tests/Pester/PesterRestore.proj (PackageDownload YamlDotNet 16.3.0).
    $script:otherYaml = Join-Path $packages 'yamldotnet/16.3.0/lib/net8.0/YamlDotNet.dll'
    $script:good = Join-Path $script:stateHome 'good.yaml'
    $script:bad = Join-Path $script:stateHome 'bad.yaml'
    Set-Content $script:good "name: good`nsteps:`n  - name: a`n    command: echo a`n  - name: b`n    command: echo b`n    depends_on: [a]`n"
    Set-Content $script:bad "name: bad`nsteps:`n  - name: a`n    command: echo a`n    depends_on: [b]`n"

    # Shared by both orders: use the other YamlDotNet and print what it read and which version it is.
    $script:useOtherYaml = @'
        $stream = [YamlDotNet.RepresentationModel.YamlStream]::new()
        $stream.Load([System.IO.StringReader]::new("greeting: hello"))
        "other=$($stream.Documents[0].RootNode.Children[[YamlDotNet.RepresentationModel.YamlScalarNode]::new('greeting')])"
        "otherVersion=$([YamlDotNet.RepresentationModel.YamlStream].Assembly.GetName().Version)"
'@
    $script:useModule = @"
        "valid=`$(Test-WorkflowDefinition '$script:good')"
        "invalid=`$(Test-WorkflowDefinition '$script:bad')"
        "codes=`$((Test-WorkflowDefinition '$script:bad' -Detailed).Code -join ',')"
"@
    $script:loadedVersions = @'
        "loaded=$(([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object { $_.GetName().Version.Major } | Sort-Object) -join ',')"
'@
}

Describe 'Dependency isolation' {
    It 'has the other YamlDotNet version restored from NuGet' {
        Test-Path $script:otherYaml | Should -BeTrue
    }

    It 'works when another YamlDotNet was loaded first' {
        $result = Invoke-ChildPwsh -Script @"
            `$ErrorActionPreference = 'Stop'
            Add-Type -Path '$script:otherYaml'
            $script:useOtherYaml
            Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
            $script:useModule
            $script:useOtherYaml
            $script:loadedVersions
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        $result.Output | Should -Contain 'valid=True'
        $result.Output | Should -Contain 'invalid=False'
        $result.Output | Should -Contain 'codes=UnknownDependency'
        ($result.Output | Where-Object { $_ -eq 'other=hello' }).Count | Should -Be 2
        ($result.Output | Where-Object { $_ -eq 'otherVersion=16.0.0.0' }).Count | Should -Be 2
        $result.Output | Should -Contain 'loaded=16,18'
    }

    It 'lets another YamlDotNet load and work after the module' {
        $result = Invoke-ChildPwsh -Script @"
            `$ErrorActionPreference = 'Stop'
            Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
            $script:useModule
            Add-Type -Path '$script:otherYaml'
            $script:useOtherYaml
            $script:useModule
            $script:loadedVersions
"@
        $result.ExitCode | Should -Be 0 -Because ($result.Output -join "`n")
        ($result.Output | Where-Object { $_ -eq 'valid=True' }).Count | Should -Be 2
        ($result.Output | Where-Object { $_ -eq 'invalid=False' }).Count | Should -Be 2
        $result.Output | Should -Contain 'other=hello'
        $result.Output | Should -Contain 'otherVersion=16.0.0.0'
        $result.Output | Should -Contain 'loaded=16,18'
    }

    It 'imports without any warning or error and exports the workflow cmdlets' {
        $result = Invoke-ChildPwsh -Script @"
            Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE' -WarningVariable warnings -ErrorVariable problems
            "warnings=`$(`$warnings.Count) errors=`$(`$problems.Count)"
            (Get-Command -Module WorkflowAutomation -Noun WorkflowDefinition, WorkflowGraph).Name | Sort-Object
"@
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Be @('warnings=0 errors=0', 'Export-WorkflowGraph', 'Import-WorkflowDefinition', 'Test-WorkflowDefinition')
    }
}
