# tc netem towards one address, inside two network namespaces the test creates and joins with
# a veth pair: never towards anything else. The machine's own namespaces are not touched.
BeforeAll {
    Import-Module $env:WORKFLOW_AUTOMATION_TEST_MODULE -Force
    Import-Module "$PSScriptRoot/TestHelpers.psm1" -Force
    $script:stateHome = New-TestStateDirectory
    $env:CHAOS_ENABLED = 'true'
    if ((& id -u) -ne '0') { throw 'The netem test creates network namespaces and needs root (CI runs as root).' }
    if (-not (Get-Command ip -ErrorAction Ignore)) { throw 'ip and tc are missing: install iproute2 (apt-get install -y iproute2).' }
    $tag = '{0:x6}' -f (Get-Random -Maximum 0xffffff)
    $script:nsA = "wa-$tag-a"; $script:nsB = "wa-$tag-b"
    $net = "10.$(Get-Random -Minimum 100 -Maximum 250).$(Get-Random -Minimum 1 -Maximum 250)"
    $script:client = "$net.1"; $script:target = "$net.2"; $script:other = "$net.3"
    $script:device = "wa$tag"
    foreach ($command in @(
            "netns add $script:nsA", "netns add $script:nsB",
            "link add $script:device netns $script:nsA type veth peer name wb$tag netns $script:nsB",
            "-n $script:nsA addr add $script:client/24 dev $script:device",
            "-n $script:nsB addr add $script:target/24 dev wb$tag", "-n $script:nsB addr add $script:other/24 dev wb$tag",
            "-n $script:nsA link set $script:device up", "-n $script:nsB link set wb$tag up")) {
        & ip @($command -split ' ')
        if ($LASTEXITCODE -ne 0) { throw "ip $command failed: the test cannot build its network namespaces." }
    }
}

AfterAll {
    # The veth pair goes with its namespaces.
    & ip netns del $script:nsA 2>$null
    & ip netns del $script:nsB 2>$null
    Remove-Item Env:CHAOS_ENABLED -ErrorAction Ignore
}

Describe 'Invoke-ChaosTest -Type Network -Netem' {
    It 'delays only the packets towards the target, by the delay asked, and removes its rule' {
        # The session runs inside the client namespace, as a user would run it on a host.
        $script = @"
Import-Module '$env:WORKFLOW_AUTOMATION_TEST_MODULE'
function Measure-Rtt([string] `$Address) {
    # A connect to a closed port is answered by a reset: one round trip.
    `$times = foreach (`$i in 1..7) {
        `$socket = [Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp'); `$clock = [Diagnostics.Stopwatch]::StartNew()
        try { `$socket.Connect(`$Address, 9) } catch { }
        `$clock.Elapsed.TotalMilliseconds; `$socket.Dispose()
    }
    (`$times | Sort-Object)[3]
}
`$out = [ordered]@{ Readiness = (Test-ChaosReadiness | Where-Object Fault -EQ 'Network netem') }
`$out.Before = Measure-Rtt '$script:target'; `$out.OtherBefore = Measure-Rtt '$script:other'
`$job = Invoke-ChaosTest -Type Network -Netem -Target '${script:target}:9' -LatencyMs 100 -DurationSeconds 4 -Force -AsJob
Start-Sleep -Milliseconds 1500
`$out.During = Measure-Rtt '$script:target'; `$out.OtherDuring = Measure-Rtt '$script:other'
`$out.Result = Receive-Job `$job -Wait -ErrorAction SilentlyContinue -ErrorVariable failure
`$out.Error = @(`$failure | ForEach-Object { @{ Id = `$_.FullyQualifiedErrorId; Message = `$_.Exception.Message } })
Remove-Job `$job -Force
`$out.After = Measure-Rtt '$script:target'
`$out.Qdisc = (& tc qdisc show dev $script:device) -join ' '
`$out | ConvertTo-Json -Depth 6 -Compress
"@
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $lines = & ip netns exec $script:nsA (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1
        $json = $lines | Where-Object { "$_".StartsWith('{"Readiness"') } | Select-Object -Last 1
        $json | Should -Not -BeNullOrEmpty -Because ($lines -join "`n")
        $out = $json | ConvertFrom-Json
        # Whatever happened, the device is back to its default queue, with no filter of ours.
        $out.Qdisc | Should -Match '^qdisc noqueue 0: root'
        (& ip netns exec $script:nsA tc filter show dev $script:device) | Should -BeNullOrEmpty
        ($out.OtherDuring - $out.OtherBefore) | Should -BeLessThan 30 -Because 'another address behind the same device is never delayed'
        ($out.After - $out.Before) | Should -BeLessThan 30 -Because 'the rule is gone afterwards'
        if ($out.Readiness.Available) {
            ($out.During - $out.Before) | Should -BeGreaterThan 90
            # The upper bound leaves room for a loaded machine.
            ($out.During - $out.Before) | Should -BeLessThan 160
            $out.Result.Verdict | Should -Be 'Passed'
            ($out.Result.Touched | Where-Object Kind -EQ 'NetemRule').Reverted | Should -BeTrue
        }
        else {
            # A kernel without netem (CONFIG_NET_SCH_NETEM): refused with the reason, nothing changed.
            $out.Readiness.Missing | Should -Match 'netem'
            $out.Error[0].Id | Should -BeLike 'ChaosTestFailed*'
            $out.Result.Message | Should -Match 'netem fault cannot run: .*no netem qdisc'
            $out.Result.Message | Should -Match 'Nothing was changed'
            ($out.During - $out.Before) | Should -BeLessThan 30
        }
        @(Get-ChildItem (Join-Path $script:stateHome 'chaos/rollback') -Filter *.json -ErrorAction Ignore) | Should -BeNullOrEmpty
    }
}
