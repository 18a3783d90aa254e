# The project's own pipeline (examples/pipeline.yaml) run by Invoke-Workflow, twice: green,
# then with the staging smoke test made to fail. It takes the module out/ already holds
# (prebuilt) and a tiny test selection, so it does not rebuild or rerun the suite it is part of.
BeforeAll {
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    Import-Module "$PSScriptRoot/../../tools/release/ReleaseHelpers.psm1" -Force
    $script:state = New-TestStateDirectory
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    $script:root = (Resolve-Path "$PSScriptRoot/../..").ProviderPath
    $script:work = Join-Path $state 'pipeline'
    $script:pipeline = Join-Path $root 'examples/pipeline.yaml'
    $script:moduleVersion = (Import-PowerShellDataFile $env:WORKFLOW_AUTOMATION_TEST_MODULE).ModuleVersion
    # The pipeline tests the module in the repository's out/: it must be the one under test.
    (Resolve-Path (Split-Path $env:WORKFLOW_AUTOMATION_TEST_MODULE)).ProviderPath | Should -Be (Join-Path $root 'out/WorkflowAutomation')

    function Get-Current([string] $Feed) { (Get-FeedPackage (Join-Path $script:work "feeds/$Feed") | Select-Object -First 1).Text }
    function Get-StepLog([string] $RunId, [string] $Step) { (Get-WorkflowRunLog -Id $RunId -Step $Step | ForEach-Object Text) -join "`n" }
}

Describe 'examples/pipeline.yaml' {
    It 'is a valid workflow' {
        Test-WorkflowDefinition -Path $script:pipeline -Detailed | Should -BeNullOrEmpty
        Test-WorkflowDefinition -Path $script:pipeline | Should -BeTrue
    }

    It 'builds, tests a selection, packages and deploys to dev, staging and an approved prod, each smoke-tested' {
        $run = Invoke-Workflow -Path $script:pipeline -Approve deploy_prod -Parameter @{
            work = $script:work; prebuilt = $true; prerelease = 'ci1'
            components = 'Parallel'; xunit_filter = 'FullyQualifiedName~BatchFileParser'; pester_filter = 'NoSuchFile'
        } -ErrorAction SilentlyContinue
        $run.Status | Should -Be 'Succeeded' -Because (($run.Steps | Where-Object Status -notin Succeeded, Skipped | ForEach-Object { "$($_.Name): $($_.Error) $(Get-StepLog $run.Id $_.Name)" }) -join "`n")
        $script:greenRun = $run

        Get-StepLog $run.Id test_parallel | Should -Match '(?m)^[1-9]\d* passed, 0 failed$' -Because 'the selected part ran real tests'
        Join-Path $script:work 'test-results/Parallel/WorkflowAutomation.Engine.Tests.trx' | Should -Exist -Because 'a part keeps its results in the pipeline folder'
        ($run.Steps | Where-Object Name -eq test_daemon).Status | Should -Be 'Skipped' -Because 'the components input did not name it'

        $package = Join-Path $script:work "artifact/repository/WorkflowAutomation.$script:moduleVersion-ci1.nupkg"
        $package | Should -Exist
        (Get-Content "$package.sha256" -Raw) | Should -BeLike "$((Get-FileHash $package -Algorithm SHA256).Hash.ToLowerInvariant())  *"

        foreach ($feed in 'dev', 'staging', 'prod') {
            Get-Current $feed | Should -Be "$script:moduleVersion-ci1"
            Get-StepLog $run.Id "smoke_$feed" | Should -Match "smoke: WorkflowAutomation $([regex]::Escape("$script:moduleVersion-ci1")) from .*ran workflow 'smoke': Succeeded"
        }
        $run.Rollbacks | Should -BeNullOrEmpty
    }

    It 'rolls staging back to the previous version when its smoke test fails; dev keeps its verified version; prod is untouched' {
        $script:greenRun | Should -Not -BeNullOrEmpty -Because 'the green run deployed the previous version'
        $run = Invoke-Workflow -Path $script:pipeline -Approve deploy_prod -Parameter @{
            work = $script:work; prebuilt = $true; prerelease = 'ci2'; fail_smoke = 'staging'; components = 'none'
        } -ErrorAction SilentlyContinue -ErrorVariable failure
        $run.Status | Should -Be 'Failed'
        "$failure" | Should -Match "smoke_staging"
        ($run.Steps | Where-Object Name -eq smoke_staging).Status | Should -Be 'Failed'
        ($run.Steps | Where-Object Name -eq deploy_prod).Status | Should -Be 'Skipped'
        ($run.Rollbacks | ForEach-Object { "$($_.Step)=$($_.Status)" }) | Should -Be @('deploy_staging=Succeeded', 'deploy_dev=Succeeded')

        Get-Current dev | Should -Be "$script:moduleVersion-ci2"
        Get-Current staging | Should -Be "$script:moduleVersion-ci1"
        Get-Current prod | Should -Be "$script:moduleVersion-ci1"
        Join-Path $script:work "feeds/staging/unlisted/WorkflowAutomation.$script:moduleVersion-ci2.nupkg" | Should -Exist
        Get-StepLog $run.Id 'rollback:deploy_staging' | Should -Match "ci2 unlisted, .*ci1 is current again"
        Get-StepLog $run.Id 'rollback:deploy_dev' | Should -Match 'keeps WorkflowAutomation .*ci2: its smoke test passed'

        # What a user installing from staging now gets: the previous version.
        $smoke = & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $script:root 'tools/release/Test-PublishedModule.ps1') `
            -Repository (Join-Path $script:work 'feeds/staging') -Version "$script:moduleVersion-ci1" 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($smoke -join "`n")
    }
}
