BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:work = New-Item -ItemType Directory (Join-Path $script:stateHome 'work')
    function New-Workflow([string] $Name, [string] $Yaml) {
        $path = Join-Path $script:work "$Name.yaml"
        Set-Content -Path $path -Value $Yaml
        $path
    }
    # The payload of the script-injection report: it closes the quote and runs a command.
    $script:payload = 'x"; echo INJECTED-$(id -un); echo "'
}

Describe 'Values in commands' {
    It 'warns with a stable code and the safe form when an input is pasted into a command' {
        $path = New-Workflow unsafe @'
name: unsafe
inputs:
  who: { type: string, default: world }
steps:
  - name: greet
    shell: bash
    command: echo "hello ${{ inputs.who }}"
  - name: quoted
    shell: bash
    command: echo hello ${{ quote(inputs.who) }}
'@
        Test-WorkflowDefinition $path | Should -BeTrue
        $finding = Test-WorkflowDefinition $path -Detailed
        $finding.Code | Should -Be 'UnsafeInterpolation'
        $finding.Severity | Should -Be 'Warning'
        ($finding.Line, $finding.Column) | Should -Be @(7, 30)
        $finding.Message | Should -BeLike '*"$INPUT_WHO" in bash*${{ quote(inputs.who) }}*'
    }

    It 'makes it an error under STRICT_INTERPOLATION and under strict: true' {
        $path = New-Workflow strictly "name: strictly`ninputs: { who: world }`nsteps:`n  - { name: a, shell: sh, command: 'echo `${{ inputs.who }}' }`n"
        $env:STRICT_INTERPOLATION = 'true'
        try {
            Test-WorkflowDefinition $path | Should -BeFalse
            (Test-WorkflowDefinition $path -Detailed).Severity | Should -Be 'Error'
            { Invoke-Workflow $path -ErrorAction Stop } | Should -Throw -ExpectedMessage '*strictly.yaml:4:*Strict interpolation is on*'
        }
        finally { $env:STRICT_INTERPOLATION = $null }
        Test-WorkflowDefinition $path | Should -BeTrue
        Set-Content $path ((Get-Content $path -Raw) -replace '^name: strictly', "name: strictly`nstrict: true")
        Test-WorkflowDefinition $path | Should -BeFalse
    }

    It 'runs no injected command from an input or a step output with the environment form or quote(), in bash and pwsh steps' {
        $path = New-Workflow injection @'
name: injection
inputs:
  who: { type: string, default: world }
steps:
  - name: bash_env
    shell: bash
    command: echo "hello $INPUT_WHO"
  - name: bash_quote
    shell: bash
    command: echo hello ${{ quote(inputs.who) }}
  - name: pwsh_env
    shell: pwsh
    command: Write-Output "hello $env:INPUT_WHO"
  - name: pwsh_quote
    shell: pwsh
    command: Write-Output ("hello " + ${{ quote(inputs.who) }})
  - name: make
    shell: bash
    command: echo "v=$INPUT_WHO" >> "$WORKFLOW_OUTPUT"
  - name: bash_output
    shell: bash
    command: echo "hello $STEPS_MAKE_OUTPUTS_V"
  - name: pwsh_output
    shell: pwsh
    command: Write-Output ("hello " + ${{ quote(steps.make.outputs.v) }})
  - name: pasted
    shell: bash
    command: echo "hello ${{ inputs.who }}"
'@
        $run = Invoke-Workflow $path -Parameter @{ who = $script:payload } -WarningAction SilentlyContinue
        $run.Status | Should -Be 'Succeeded'
        foreach ($step in 'bash_env', 'bash_quote', 'pwsh_env', 'pwsh_quote', 'bash_output', 'pwsh_output') {
            $lines = @((Get-WorkflowRunLog -Id $run.Id -Step $step).Text)
            $lines | Should -Be @("hello $script:payload") -Because "$step prints the value as text"
        }
        # The pasted form (a warning, not refused) shows what the safe forms prevent.
        (Get-WorkflowRunLog -Id $run.Id -Step pasted).Text | Should -Contain "INJECTED-$(id -un)"
    }

    It 'refuses steps whose names would share outputs' {
        $path = New-Workflow collide "name: collide`nsteps:`n  - { name: a-b, command: echo 1 }`n  - { name: a.b, command: echo 2 }`n"
        $finding = Test-WorkflowDefinition $path -Detailed
        $finding.Code | Should -Be 'StepNameCollision'
        $finding.Message | Should -BeLike "*'a.b'*'a-b' (line 3, column 13)*"
    }
}

Describe 'Hostile workflow files' {
    It 'validates an alias bomb at once, naming the limit and the line' {
        $levels = @('  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]')
        $levels += 1..9 | ForEach-Object { "  l${_}: &l$_ [$((@("*l$($_ - 1)") * 9) -join ', ')]" }
        $path = New-Workflow bomb ("name: bomb`nsteps:`n  - { name: a, command: echo hi }`nx-bomb:`n" + ($levels -join "`n") + "`n")
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $finding = Test-WorkflowDefinition $path -Detailed
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $finding.Code | Should -Be 'LimitExceeded'
        $finding.Line | Should -BeGreaterThan 5
        $finding.Message | Should -BeLike '*1,000,000 YAML nodes*'
    }

    It 'refuses two million negations in a condition without ending the session' {
        $path = New-Workflow bang ("name: bang`nsteps:`n  - name: a`n    command: echo hi`n    condition: `"" + ('!' * 2000000) + "success()`"`n")
        $finding = Test-WorkflowDefinition $path -Detailed
        ($finding.Line, $finding.Code) | Should -Be @(5, 'InvalidExpression')
        $finding.Message | Should -BeLike '*at most 10,000 characters*'
    }
}
