BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:folder = New-Item -ItemType Directory (Join-Path $script:stateHome 'workflows')
    Set-Content (Join-Path $script:folder 'good.yaml') @'
name: good
execution_mode: parallel
inputs:
  version: { type: string, default: '1.0' }
steps:
  - name: build
    command: echo ${{ quote(inputs.version) }}
  - name: test
    command: echo test
    depends_on: [build]
  - name: deploy
    command: echo deploy
    depends_on: [test]
    approval_required: true
    condition: steps.test.outcome == 'success'
'@
    Set-Content (Join-Path $script:folder 'bad.yaml') @'
name: bad
execution_mode: paralel
steps:
  - name: build
    command: make
    timeout: -1
  - name: test
    command: make test
    depends_on: [biuld]
'@
    Set-Content -LiteralPath (Join-Path $script:folder 'broken [1].yaml') "name: x`nsteps:`n  - name: a`n    command: 'unclosed`n"
}

Describe 'Test-WorkflowDefinition' {
    It 'writes $true for a valid file and $false for an invalid one' {
        Test-WorkflowDefinition (Join-Path $script:folder 'good.yaml') | Should -BeTrue
        Test-WorkflowDefinition (Join-Path $script:folder 'bad.yaml') | Should -BeFalse
    }

    It 'expands wildcards to one result per file' {
        $results = Test-WorkflowDefinition (Join-Path $script:folder '*.yaml')
        $results.Count | Should -Be 3
        ($results | Where-Object { $_ }).Count | Should -Be 1
    }

    It 'takes file objects from Get-ChildItem through the pipeline, including names with brackets' {
        $results = Get-ChildItem $script:folder -Filter '*.yaml' | Sort-Object Name | Test-WorkflowDefinition
        $results | Should -Be @($false, $false, $true)   # bad, broken [1], good
    }

    It 'takes a folder and names each of its workflow files in the result' {
        $results = Test-WorkflowDefinition $script:folder
        $results | ForEach-Object { $_ | Should -BeOfType ([WorkflowAutomation.Workflows.WorkflowFileTestResult]) }
        $results.File | Should -Be @('bad.yaml', 'broken [1].yaml', 'good.yaml' | ForEach-Object { Join-Path $script:folder $_ })
        $results.IsValid | Should -Be @($false, $false, $true)
        $results[0].ErrorCount | Should -Be 3
        $results[0].FirstError | Should -BeLike "2:17: 'execution_mode' must be one of*"
        Push-Location $script:stateHome
        try {
            $table = Test-WorkflowDefinition ./workflows | Out-String -Width 200
            $table | Should -Match 'Valid\s+Errors\s+Warnings\s+File'
            $table | Should -Match 'False\s+3\s+0\s+workflows/bad\.yaml'
            $table | Should -Match 'True\s+0\s+0\s+workflows/good\.yaml'
        }
        finally { Pop-Location }
        (Import-WorkflowDefinition -LiteralPath $script:folder -ErrorAction SilentlyContinue).Name | Should -Be 'good'
    }

    It 'reads a name with wildcard characters through -LiteralPath' {
        Test-WorkflowDefinition -LiteralPath (Join-Path $script:folder 'broken [1].yaml') | Should -BeFalse
    }

    It 'writes one diagnostic per problem with -Detailed, with file, line, column, severity and code' {
        $diagnostics = Test-WorkflowDefinition (Join-Path $script:folder 'bad.yaml') -Detailed
        $diagnostics.Count | Should -Be 3
        $diagnostics[0] | Should -BeOfType ([WorkflowAutomation.Workflows.WorkflowDiagnostic])
        $diagnostics | ForEach-Object { "$($_.Line):$($_.Column) $($_.Code)" } |
            Should -Be @('2:17 InvalidExecutionMode', '6:14 OutOfRange', '9:18 UnknownDependency')
        $diagnostics[0].File | Should -Be (Join-Path $script:folder 'bad.yaml')
        $diagnostics[0].Severity | Should -Be 'Error'
        $diagnostics[2].Message | Should -BeLike "*Did you mean 'build'?*"
        "$($diagnostics[0])" | Should -BeLike "*bad.yaml:2:17: 'execution_mode' must be one of sequential, parallel, conditional*"
    }

    It 'writes nothing with -Detailed for a valid file' {
        Test-WorkflowDefinition (Join-Path $script:folder 'good.yaml') -Detailed | Should -BeNullOrEmpty
    }

    It 'reports malformed YAML with its position and no stack trace' {
        $diagnostic = Test-WorkflowDefinition -LiteralPath (Join-Path $script:folder 'broken [1].yaml') -Detailed
        $diagnostic.Code | Should -Be 'YamlSyntax'
        $diagnostic.Line | Should -Be 4
        $diagnostic.Message | Should -Not -Match '\bat [\w.]+\('
    }

    It 'writes a PathNotFound error for a path that matches nothing, and goes on' {
        $results = Test-WorkflowDefinition (Join-Path $script:folder 'missing.yaml'), (Join-Path $script:folder 'good.yaml') -ErrorVariable problems -ErrorAction SilentlyContinue
        $results | Should -Be $true
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound,*'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows diagnostics as a table' {
        $table = Test-WorkflowDefinition (Join-Path $script:folder 'bad.yaml') -Detailed | Format-Table | Out-String -Width 200
        $table | Should -Match 'File\s+Line\s+Column\s+Severity\s+Message'
        $table | Should -Match 'bad\.yaml\s+2\s+17\s+Error'
        # The file's path relative to the current folder, whole, not an 18-character leaf.
        $deep = New-Item -ItemType Directory -Force (Join-Path $script:stateHome 'a-rather-long-folder-name/nested')
        Copy-Item (Join-Path $script:folder 'bad.yaml') (Join-Path $deep 'deployment_workflow_bad.yaml')
        Push-Location $script:stateHome
        try {
            $table = Test-WorkflowDefinition ./a-rather-long-folder-name/nested/deployment_workflow_bad.yaml -Detailed | Out-String -Width 200
            $table | Should -Match ([regex]::Escape('a-rather-long-folder-name/nested/deployment_workflow_bad.yaml'))
        }
        finally { Pop-Location }
    }
}

Describe 'Import-WorkflowDefinition' {
    It 'writes a WorkflowDefinition for a valid file' {
        $workflow = Import-WorkflowDefinition (Join-Path $script:folder 'good.yaml')
        $workflow | Should -BeOfType ([WorkflowAutomation.Workflows.WorkflowDefinition])
        $workflow.Name | Should -Be 'good'
        $workflow.ExecutionMode | Should -Be ([WorkflowAutomation.Workflows.ExecutionMode]::Parallel)
        $workflow.Steps.Name | Should -Be @('build', 'test', 'deploy')
        $workflow.Steps[2].ApprovalRequired | Should -BeTrue
        $workflow.Inputs['version'].Default | Should -Be '1.0'
    }

    It 'writes a non-terminating WorkflowYamlInvalid error listing every problem as file:line:column, then goes on' {
        $files = Get-ChildItem $script:folder -Filter '*.yaml' | Sort-Object Name
        $workflows = $files | Import-WorkflowDefinition -ErrorVariable problems -ErrorAction SilentlyContinue
        $workflows.Name | Should -Be 'good'
        $problems.Count | Should -Be 2
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowYamlInvalid,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be (Join-Path $script:folder 'bad.yaml')
        $message = $problems[0].Exception.Message
        $message | Should -BeLike '*has 3 errors*'
        $message | Should -BeLike "*bad.yaml:2:17: 'execution_mode'*"
        $message | Should -BeLike '*bad.yaml:6:14: *timeout*'
        $message | Should -BeLike "*bad.yaml:9:18: Step 'test' depends on 'biuld'*"
    }

    It 'stops on the first invalid file with -ErrorAction Stop' {
        { Import-WorkflowDefinition (Join-Path $script:folder 'bad.yaml') -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkflowYamlInvalid,WorkflowAutomation.PowerShell.Commands.ImportWorkflowDefinitionCommand'
    }

    It 'shows definitions as a table' {
        $table = Import-WorkflowDefinition (Join-Path $script:folder 'good.yaml') | Format-Table | Out-String -Width 200
        $table | Should -Match 'Name\s+ExecutionMode\s+Steps\s+Inputs'
        $table | Should -Match 'good\s+Parallel\s+3\s+version'
    }
}

Describe 'Help and completion' {
    It '<_> has a synopsis, parameter help and an example' -ForEach 'Test-WorkflowDefinition', 'Import-WorkflowDefinition', 'Export-WorkflowGraph' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "*$_ *[-Path]*"
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Examples.Example[0].Code | Should -BeLike "*$_*"
        ($help.Parameters.Parameter | Where-Object Name -EQ 'Path').Description.Text | Should -Not -BeNullOrEmpty
    }

    It 'gives every cmdlet INPUTS, RELATED LINKS and the accepted values of its enum parameters' {
        foreach ($name in (Get-Command -Module WorkflowAutomation -CommandType Cmdlet).Name) {
            $help = Get-Help $name -Full
            @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0 -Because "$name documents its pipeline input"
            @($help.inputTypes.inputType)[0].type.name | Should -Not -BeNullOrEmpty -Because $name
            @($help.relatedLinks.navigationLink).linkText | Should -Contain 'about_WorkflowAutomation' -Because $name
        }
        @((Get-Help Get-WorkflowRun -Full).relatedLinks.navigationLink.linkText) | Should -Contain 'Wait-WorkflowRun'
        (Get-Help Get-WorkflowRun -Full).inputTypes.inputType.description.Text | Should -Match 'Id'
        (Get-Help Get-WorkflowRun -Parameter Status).description.Text | Should -Match 'Accepted values: Queued, Running, WaitingForApproval, Succeeded, Failed, Cancelled, Interrupted'
        (Get-Help Get-CircuitBreaker -Parameter State).description.Text | Should -Match 'Closed, Open, HalfOpen'
    }

    It 'ships an about_WorkflowAutomation topic, and a manifest that describes what the module has' {
        $topic = Get-Help about_WorkflowAutomation | Out-String
        $topic | Should -Match 'Where a run.s steps start'
        $topic | Should -Match '<workflow>/<step>'
        Test-Path (Join-Path (Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE) 'en-US/about_WorkflowAutomation.help.txt') | Should -BeTrue
        # The description promises only what the module has: each capability it names has its cmdlet.
        $description = (Test-ModuleManifest $env:WORKFLOW_AUTOMATION_TEST_MODULE).Description
        foreach ($promise in @{ dashboard = 'Open-WorkflowDashboard'; hermetic = 'New-HermeticEnvironment'; chaos = 'Invoke-ChaosTest'; parallel = 'Invoke-ParallelBatch' }.GetEnumerator()) {
            if ($description -match $promise.Key) { Get-Command $promise.Value -Module WorkflowAutomation | Should -Not -BeNullOrEmpty -Because "the description names $($promise.Key)" }
        }
    }

    It 'completes workflow files and folders for -Path' {
        Push-Location $script:stateHome
        try {
            Set-Content 'notes.txt' 'not a workflow'
            $completion = TabExpansion2 -inputScript 'Test-WorkflowDefinition ./' -cursorColumn 26
            $texts = $completion.CompletionMatches.CompletionText
            $texts | Should -Contain './workflows'
            $texts | Should -Not -Contain './notes.txt'
            $completion = TabExpansion2 -inputScript 'Test-WorkflowDefinition ./workflows/go' -cursorColumn 38
            $completion.CompletionMatches.CompletionText | Should -Contain './workflows/good.yaml'
        }
        finally { Pop-Location }
    }
}

Describe 'Export-WorkflowGraph' {
    It 'draws the depends_on DAG as Mermaid, with the approval gate and condition marked' {
        $mermaid = Export-WorkflowGraph (Join-Path $script:folder 'good.yaml') -Format Mermaid
        $mermaid | Should -BeOfType ([string])
        $lines = $mermaid -split "`r?`n"
        $lines[0] | Should -Be 'flowchart TD'
        $lines | Should -Contain '    s1 --> s2'
        $lines | Should -Contain '    s2 -.-> s3'
        $lines | Should -Contain "    s3{{`"deploy<br/>approval required<br/>if: steps.test.outcome == 'success'`"}}"
        $lines | Should -Contain '    class s3 approval'
    }

    It 'draws Graphviz DOT' {
        $dot = Export-WorkflowGraph -Path (Join-Path $script:folder 'good.yaml') -Format Dot
        $dot | Should -BeLike 'digraph "good" {*'
        $dot | Should -BeLike '*s1 -> s2;*'
        $dot | Should -BeLike '*s2 -> s3 `[style=dashed`];*'
        $dot | Should -BeLike '*shape=hexagon*'
    }

    It 'takes a definition from the pipeline' {
        $graph = Import-WorkflowDefinition (Join-Path $script:folder 'good.yaml') | Export-WorkflowGraph -Format Dot
        $graph | Should -BeLike 'digraph "good"*'
    }

    It 'follows file order and parallel groups in sequential mode' {
        $file = Join-Path $script:stateHome 'sequential.yaml'
        Set-Content $file "name: seq`nsteps:`n  - { name: a, command: x }`n  - { name: b, command: x, parallel: true }`n  - { name: c, command: x, parallel: true }`n  - { name: d, command: x }`n"
        $lines = (Export-WorkflowGraph $file) -split "`r?`n"
        $lines | Should -Contain '    s1 --> s2'
        $lines | Should -Contain '    s1 --> s3'
        $lines | Should -Contain '    s2 --> s4'
        $lines | Should -Contain '    s3 --> s4'
        $lines | Should -Not -Contain '    s2 --> s3'
    }

    It 'writes a WorkflowYamlInvalid error for an invalid file' {
        Export-WorkflowGraph (Join-Path $script:folder 'bad.yaml') -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'WorkflowYamlInvalid,*'
    }

    It 'completes the format names' {
        $completion = TabExpansion2 -inputScript 'Export-WorkflowGraph x.yaml -Format D' -cursorColumn 37
        $completion.CompletionMatches.CompletionText | Should -Contain 'Dot'
    }
}

Describe 'Example workflows' {
    BeforeAll { $script:examples = Join-Path $PSScriptRoot '../../examples' }

    It '<_> is valid and draws a graph' -ForEach 'deployment_workflow.yaml', 'system_health.yaml' {
        $file = Join-Path $script:examples $_
        Test-WorkflowDefinition $file -Detailed | Should -BeNullOrEmpty
        Test-WorkflowDefinition $file | Should -BeTrue
        Export-WorkflowGraph $file | Should -BeLike 'flowchart TD*'
    }
}
