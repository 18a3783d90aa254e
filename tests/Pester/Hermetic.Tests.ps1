BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $script:work = Join-Path $script:stateHome 'work'
    New-Item -ItemType Directory $script:work | Out-Null

    function New-Wheel([string] $Folder, [string] $Name, [string] $Version, [string] $Body) {
        # A real wheel (PEP 427 zip): PyPI is not reachable from these machines.
        Add-Type -AssemblyName System.IO.Compression
        $module = $Name -replace '-', '_'
        $dist = "$module-$Version.dist-info"
        $files = [ordered]@{
            "$module/__init__.py" = $Body
            "$dist/METADATA"      = "Metadata-Version: 2.1`nName: $Name`nVersion: $Version`n"
            "$dist/WHEEL"         = "Wheel-Version: 1.0`nGenerator: tests`nRoot-Is-Purelib: true`nTag: py3-none-any`n"
        }
        $record = foreach ($path in $files.Keys) {
            $bytes = [Text.Encoding]::UTF8.GetBytes($files[$path])
            $hash = [Convert]::ToBase64String([Security.Cryptography.SHA256]::HashData($bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_')
            "$path,sha256=$hash,$($bytes.Length)"
        }
        $files["$dist/RECORD"] = ($record -join "`n") + "`n$dist/RECORD,,`n"
        New-Item -ItemType Directory -Force $Folder | Out-Null
        $wheel = Join-Path $Folder "$module-$Version-py3-none-any.whl"
        $zip = [IO.Compression.ZipFile]::Open($wheel, 'Create')
        try {
            foreach ($path in $files.Keys) {
                $entry = $zip.CreateEntry($path)
                $entry.LastWriteTime = [DateTimeOffset]::new(2020, 1, 1, 0, 0, 0, [TimeSpan]::Zero)
                $writer = [IO.StreamWriter]::new($entry.Open())
                $writer.Write($files[$path]); $writer.Dispose()
            }
        }
        finally { $zip.Dispose() }
        $wheel
    }

    function Get-TreeLists([string] $TreePath) {
        Get-ChildItem (Join-Path $TreePath '.hermetic') -Filter *.list | Sort-Object Name |
            ForEach-Object { "$($_.Name)=$((Get-FileHash $_.FullName -Algorithm SHA512).Hash)" }
    }

    foreach ($tool in 'node', 'npm', 'python3') {
        if (-not (Get-Command $tool -ErrorAction Ignore)) {
            throw "$tool is needed by the hermetic tests: run ./build.ps1 Test as root once (it installs nodejs, npm and python3-venv from apt), or install them yourself."
        }
    }
}

Describe 'Hermetic environments, as a new user meets them' {
    BeforeAll {
        $script:project = Join-Path $script:work 'web'
        New-Wheel (Join-Path $script:project 'wheels') 'hello-wheel' '1.0.0' "GREETING = 'hello from the wheel'`n" | Out-Null
        $script:created = New-HermeticEnvironment -Name web -Path $script:project
        $script:express = Install-HermeticPackage -Environment web -Manager npm -Name express -Version 4.21.2
        $script:withWheel = Install-HermeticPackage -Environment web -Manager pip -Name hello-wheel -Source (Join-Path $script:project 'wheels')
        $script:locked = Lock-HermeticEnvironment -Name web
    }

    It 'creates a manifest in the repository and installs express with its tree and a local wheel' {
        $script:created.Name | Should -Be 'web'
        Test-Path (Join-Path $script:project 'hermetic.json') | Should -BeTrue
        $npm = $script:express.Packages | Where-Object Manager -eq Npm
        ($npm | Where-Object Name -eq 'express').Version | Should -Be '4.21.2'
        $npm.Count | Should -BeGreaterThan 30
        $npm | ForEach-Object { $_.Integrity | Should -Match '^sha512-' }
        ($script:withWheel.Packages | Where-Object Manager -eq Pip).Name | Should -Be 'hello-wheel'
        $manifest = Get-Content (Join-Path $script:project 'hermetic.json') -Raw | ConvertFrom-Json
        $manifest.packages.npm.express | Should -Be '4.21.2'
        $manifest.sources.pip | Should -Be @('wheels')
    }

    It 'writes a lock with every artifact''s sha512 and npm''s own package-lock, and verifies clean' {
        $script:locked.IsLocked | Should -BeTrue
        $lock = Get-Content (Join-Path $script:project 'hermetic.lock.json') -Raw | ConvertFrom-Json -AsHashtable
        $lock.lockVersion | Should -Be 1
        $lock.managers.npm.native.packages['node_modules/express'].version | Should -Be '4.21.2'
        $lock.managers.pip.packages[0].integrity | Should -Match '^sha512-'
        Test-HermeticEnvironment -Name web | Should -BeNullOrEmpty
        Test-HermeticEnvironment -Name web -Quiet | Should -BeTrue
    }

    It 'runs commands inside: the environment''s HOME and PATH, its tools, nothing from outside' {
        $env:HERMETIC_OUTSIDE_SECRET = 'leaked'
        try {
            $lines = Invoke-HermeticCommand -Name web -Command 'echo "home=$HOME"; echo "secret=${HERMETIC_OUTSIDE_SECRET:-absent}"; echo "python=$(command -v python)"; node -e "console.log(require(\"express/package.json\").version)"; python -c "import hello_wheel; print(hello_wheel.GREETING)"'
        }
        finally { Remove-Item Env:HERMETIC_OUTSIDE_SECRET }
        $home_ = (Get-HermeticEnvironment web).Home
        $lines | Should -Contain "home=$home_"
        $lines | Should -Contain 'secret=absent'
        ($lines | Where-Object { $_ -like 'python=*' }) | Should -BeLike "python=$((Get-HermeticEnvironment web).ActivateScript | Split-Path)*"
        $lines | Should -Contain '4.21.2'
        $lines | Should -Contain 'hello from the wheel'
        Invoke-HermeticCommand web -ScriptBlock { param([int] $n) "twice $($n * 2) in $env:HERMETIC_ENVIRONMENT" } -ArgumentList 21 | Should -Be 'twice 42 in web'
    }

    It 'names a tampered file, and a manifest edit makes restore refuse and say why' {
        $tree = (Get-HermeticEnvironment web).TreePath
        $file = Join-Path $tree 'npm/node_modules/express/index.js'
        $original = Get-Content $file -Raw
        # A new file in place of the link, so the shared cache object stays intact.
        Remove-Item $file -Force
        Set-Content $file "module.exports = 'tampered'"
        $drift = Test-HermeticEnvironment -Name web
        $drift.Count | Should -Be 1
        $drift.Kind | Should -Be 'Changed'
        $drift.Path | Should -Be 'npm/node_modules/express/index.js'
        $drift.Message | Should -BeLike '*npm/node_modules/express/index.js was changed*'
        Remove-Item $file -Force; Set-Content $file $original -NoNewline

        $manifestPath = Join-Path $script:project 'hermetic.json'
        $manifest = Get-Content $manifestPath -Raw
        Set-Content $manifestPath ($manifest -replace '"express": "4.21.2"', '"express": "4.21.1"') -NoNewline
        try {
            { Restore-HermeticEnvironment -Name web -ErrorAction Stop } | Should -Throw -ErrorId 'HermeticLockOutOfDate,WorkflowAutomation.PowerShell.Commands.RestoreHermeticEnvironmentCommand' -ExpectedMessage '*express*4.21.1*4.21.2*Lock-HermeticEnvironment*'
            (Test-HermeticEnvironment web).Kind | Should -Contain 'LockOutOfDate'
        }
        finally { Set-Content $manifestPath $manifest -NoNewline }
    }

    It 'restores on a fresh state directory from the manifest and lock alone, with identical tree hashes' {
        $first = Get-HermeticEnvironment web
        $fresh = Join-Path $script:work 'fresh-state'
        # npm's download cache may be warm (the test's own); the content store and trees are not.
        New-Item -ItemType Directory -Force "$fresh/environments/cache" | Out-Null
        Copy-Item -Recurse "$script:stateHome/environments/cache/npm" "$fresh/environments/cache/npm"
        $saved = $env:WORKFLOW_AUTOMATION_HOME
        $env:WORKFLOW_AUTOMATION_HOME = $fresh
        try {
            Test-Path "$fresh/environments/cache/store" | Should -BeFalse
            $restored = Restore-HermeticEnvironment -Path $script:project -WarningVariable warnings
            $warnings | Should -BeNullOrEmpty
            $restored.Tree | Should -Be $first.Tree
            Get-TreeLists $restored.TreePath | Should -Be (Get-TreeLists $first.TreePath)
            Test-HermeticEnvironment web | Should -BeNullOrEmpty
        }
        finally { $env:WORKFLOW_AUTOMATION_HOME = $saved }
    }

    It 'shares one tree and the cache between two projects with the same lock' {
        $other = Join-Path $script:work 'web-copy'
        New-Item -ItemType Directory $other | Out-Null
        Copy-Item (Join-Path $script:project 'hermetic.json'), (Join-Path $script:project 'hermetic.lock.json') $other
        (Get-Content "$other/hermetic.json" -Raw) -replace '"name": "web"', '"name": "web-copy"' | Set-Content "$other/hermetic.json"
        (Get-Content "$other/hermetic.lock.json" -Raw) -replace '"name": "web"', '"name": "web-copy"' | Set-Content "$other/hermetic.lock.json"
        New-Item -ItemType Directory "$other/wheels" | Out-Null
        Copy-Item "$script:project/wheels/*" "$other/wheels"
        $copy = Restore-HermeticEnvironment -Path $other
        $copy.Tree | Should -Be (Get-HermeticEnvironment web).Tree
        (Get-HermeticEnvironment web-copy).Packages.Count | Should -Be (Get-HermeticEnvironment web).Packages.Count
    }

    It 'enters and exits this session exactly, with the prompt showing the environment' {
        $before = [Environment]::GetEnvironmentVariables()
        $env:HERMETIC_OUTSIDE_MARK = 'outside'
        try {
            Enter-HermeticEnvironment web
            try {
                $env:HOME | Should -Be (Get-HermeticEnvironment web).Home
                $env:HERMETIC_OUTSIDE_MARK | Should -BeNullOrEmpty
                $env:PATH.Split([IO.Path]::PathSeparator)[0] | Should -Be (Join-Path (Split-Path (Get-HermeticEnvironment web).ActivateScript) 'bin')
                & (Get-Command prompt) | Should -BeLike '(hermetic:web) *'
                { Enter-HermeticEnvironment web -ErrorAction Stop } | Should -Throw -ErrorId 'HermeticAlreadyEntered*'
            }
            finally { Exit-HermeticEnvironment }
            $env:HERMETIC_OUTSIDE_MARK | Should -Be 'outside'
            & (Get-Command prompt) | Should -Not -BeLike '(hermetic:*'
        }
        finally { Remove-Item Env:HERMETIC_OUTSIDE_MARK -ErrorAction Ignore }
        $after = [Environment]::GetEnvironmentVariables()
        foreach ($name in $before.Keys) { $after[$name] | Should -Be $before[$name] -Because $name }
        $after.Count | Should -Be $before.Count
    }

    It 'gives a POSIX activate script whose deactivate_hermetic restores the shell' {
        $activate = (Get-HermeticEnvironment web).ActivateScript
        $out = bash --noprofile --norc -c "export KEEP_ME=yes; . '$activate'; echo in:`$HOME:`${KEEP_ME:-gone}:`$(command -v node); deactivate_hermetic; echo out:`$HOME:`$KEEP_ME"
        $out[0] | Should -Be "in:$((Get-HermeticEnvironment web).Home):gone:$(Split-Path $activate)/bin/node"
        $out[1] | Should -Be "out:$($env:HOME):yes"
    }

    It 'runs a workflow step inside the environment named by the step' {
        $path = Join-Path $script:work 'inside.yaml'
        Set-Content $path @'
name: inside
steps:
  - name: probe
    shell: sh
    environment: web
    command: echo "home=$HOME path=$PATH secret=${HERMETIC_OUTSIDE_SECRET:-absent} express=$(node -e 'console.log(require("express/package.json").version)')"
  - name: pwsh_probe
    environment: ./web/hermetic.json
    command: '"pwsh home=$env:HOME"'
'@
        $env:HERMETIC_OUTSIDE_SECRET = 'leaked'
        try { $run = Invoke-Workflow -Path $path }
        finally { Remove-Item Env:HERMETIC_OUTSIDE_SECRET }
        $run.Status | Should -Be 'Succeeded'
        $environment = Get-HermeticEnvironment web
        $log = (Get-WorkflowRunLog -Id $run.Id).Text
        $log | Should -Contain "home=$($environment.Home) path=$($env:WORKFLOW_AUTOMATION_HOME)/environments/envs/web/bin:$($environment.TreePath)/npm/node_modules/.bin:$($environment.TreePath)/pip/venv/bin:$($environment.TreePath)/dotnet:/usr/local/bin:/usr/bin:/bin secret=absent express=4.21.2"
        $log | Should -Contain "pwsh home=$($environment.Home)"
    }
}

Describe 'Hermetic environments in workflows' {
    It 'reports an unknown environment in Test-WorkflowDefinition and shows the environment under -WhatIf' {
        $path = Join-Path $script:work 'unknown.yaml'
        Set-Content $path @'
name: unknown
environment: nope
steps:
  - name: a
    command: echo a
  - name: b
    environment: web
    limits: { memory_mb: 128, cpu_percent: 50 }
    command: echo b
'@
        Test-WorkflowDefinition $path | Should -BeFalse
        $diagnostic = Test-WorkflowDefinition $path -Detailed
        $diagnostic.Code | Should -Be 'UnknownEnvironment'
        $diagnostic.Line | Should -Be 4
        $diagnostic.Message | Should -BeLike "*'nope'*New-HermeticEnvironment*"
        # What-if lines go to the host, not to a stream: read them from a child pwsh.
        $whatIf = (Invoke-ChildPwsh "Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'; Invoke-Workflow -Path '$path' -WhatIf").Output -join "`n"
        $whatIf | Should -BeLike "*step 'a' (Pwsh) in hermetic environment 'nope'*"
        $whatIf | Should -BeLike "*step 'b' (Pwsh) in hermetic environment 'web', limits 128 MB, 50% CPU*"
    }

    It 'stops a step that goes over its memory limit and says so, without an environment' {
        $path = Join-Path $script:work 'memory.yaml'
        Set-Content $path @'
name: memory
steps:
  - name: greedy
    shell: python
    limits: { memory_mb: 64 }
    command: |
      data = bytearray(400 * 1024 * 1024)
      print("survived")
'@
        $run = Invoke-Workflow -Path $path -ErrorAction SilentlyContinue
        $run.Status | Should -Be 'Failed'
        $step = $run.Steps | Where-Object Name -eq greedy
        $step.Status | Should -Be 'Failed'
        $step.Error | Should -BeLike '*memory limit of 64 MB*'
        (Get-WorkflowRunLog -Id $run.Id).Text | Should -Not -Contain 'survived'
    }
}

Describe 'Hermetic bad input, sandbox and the other managers' {
    BeforeAll {
        $script:tools = Join-Path $script:work 'tools'
        New-HermeticEnvironment -Name tools -Path $script:tools | Out-Null
    }

    It 'refuses an unknown manager, a missing package and a lock from a newer format, changing nothing' {
        { Install-HermeticPackage tools -Manager cargo -Name x -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage*' -ExpectedMessage '*Npm, Pip, Dotnet, PSModule*'
        $manifest = Get-Content "$script:tools/hermetic.json" -Raw
        { Install-HermeticPackage tools -Manager pip -Name no-such-wheel -Source (Join-Path $script:work 'web/wheels') -ErrorAction Stop } |
            Should -Throw -ErrorId 'HermeticManagerFailed*' -ExpectedMessage '*left as it was*'
        Get-Content "$script:tools/hermetic.json" -Raw | Should -Be $manifest
        Set-Content "$script:tools/hermetic.lock.json" '{ "lockVersion": 99, "name": "tools", "managers": {} }'
        { Restore-HermeticEnvironment tools -ErrorAction Stop } | Should -Throw -ErrorId 'HermeticLockFormatNewer*' -ExpectedMessage '*format 99*Update*'
        Remove-Item "$script:tools/hermetic.lock.json"
        { Get-HermeticEnvironment nope -ErrorAction Stop } | Should -Throw -ErrorId 'HermeticEnvironmentNotFound*'
    }

    It 'runs a sandboxed command with the host read-only and no network' {
        if (-not (Get-Command bwrap -ErrorAction Ignore)) {
            throw 'bubblewrap (bwrap) is needed: run ./build.ps1 Test as root once (it installs it from apt), or apt-get install bubblewrap.'
        }
        $outside = Join-Path $script:work 'outside.txt'
        $lines = Invoke-HermeticCommand tools -Sandbox -WorkingDirectory $script:tools -Command "touch /usr/hermetic-probe 2>/dev/null && echo wrote-host; touch '$outside'; touch inside.txt && echo wrote-inside; cat /proc/net/dev | wc -l"
        $lines | Should -Not -Contain 'wrote-host'
        $lines | Should -Contain 'wrote-inside'
        Test-Path (Join-Path $script:tools 'inside.txt') | Should -BeTrue
        # Outside the environment and the work folder, writes land in the sandbox's own /tmp, not on the host.
        Test-Path $outside | Should -BeFalse
        # Only the loopback device: two header lines and lo.
        $lines[-1] | Should -Be '3' 
    }

    It 'installs a .NET tool and a PowerShell module from a local repository, and verifies them' {
        $repository = Join-Path $PSScriptRoot '../../out/repository'
        if (-not (Get-ChildItem $repository -Filter 'WorkflowAutomation.*.nupkg' -ErrorAction Ignore)) {
            throw "The module's own package is needed in ${repository}: run ./build.ps1 Package (Test does it first)."
        }
        Install-HermeticPackage tools -Manager dotnet -Name minver-cli -Version 8.0.0 | Out-Null
        $environment = Install-HermeticPackage tools -Manager psmodule -Name WorkflowAutomation -Source $repository
        ($environment.Packages | Where-Object Manager -eq Dotnet).Integrity | Should -Match '^sha512-'
        ($environment.Packages | Where-Object Manager -eq PSModule).Name | Should -Be 'WorkflowAutomation'
        Lock-HermeticEnvironment tools | Out-Null
        Test-HermeticEnvironment tools | Should -BeNullOrEmpty
        Invoke-HermeticCommand tools -Command 'minver --version' | Should -Match '^8\.0\.0'
        Invoke-HermeticCommand tools -ScriptBlock { (Get-Module -ListAvailable WorkflowAutomation).ModuleBase } |
            Should -BeLike "$((Get-HermeticEnvironment tools).TreePath)/psmodule/WorkflowAutomation/*"
    }

    It 'trims the cache: -Unused keeps what environments use' {
        $before = Get-HermeticEnvironment tools
        $result = Clear-HermeticCache -Unused -Confirm:$false
        $result.SizeBytes | Should -BeGreaterThan 0
        Test-HermeticEnvironment tools | Should -BeNullOrEmpty
        (Get-HermeticEnvironment tools).Tree | Should -Be $before.Tree
    }
}
