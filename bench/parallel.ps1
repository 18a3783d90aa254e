<#
.SYNOPSIS
    Throughput and pickup latency of Invoke-ParallelBatch beside its peers, in one run.
.DESCRIPTION
    Process tasks: 2000 'true' at throttle 2 and 8 against xargs -P, GNU parallel and
    ForEach-Object -Parallel, and against the machine's ceiling: threads that only call
    posix_spawn and waitpid. Script blocks: 10,000 '{ $_ * 2 }' against ForEach-Object
    -Parallel and a plain RunspacePool with BeginInvoke per item. Pickup latency of an
    idle pool against a RunspacePool's BeginInvoke. The cmdlet is measured inside this
    warmed session: pwsh start-up is not the executor's cost. Prints figures and ratios;
    the machine may be busy, so only ratios from the same run compare.

    Script blocks are measured two ways: the bench's way (-ThrottleLimit 2, output to
    Out-Null) and the user's way (`$doubled = 1..10000 | Invoke-ParallelBatch -ScriptBlock
    { $_ * 2 }`: the default throttle limit, the output kept). Runners alternate within a
    round and the median of -ScriptRounds is kept.
.EXAMPLE
    dotnet pwsh bench/parallel.ps1 -ModulePath out/WorkflowAutomation
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/WorkflowAutomation'),
    [int] $ProcessTasks = 2000,
    [int] $ScriptTasks = 10000,
    [int] $LatencySamples = 1000,
    # Process-task runners are measured in interleaved rounds and the median kept, so that a
    # burst of load from elsewhere on the machine does not land on one runner only.
    [int] $Rounds = 3,
    [int] $ScriptRounds = 3,
    # Which half to run: both, the process tasks only, or the script blocks only.
    [ValidateSet('All', 'Process', 'Script')] [string] $Part = 'All'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$PSStyle.OutputRendering = 'PlainText'

# The peer must be GNU parallel: moreutils ships another program named parallel (it answers
# --version with "invalid option" and would be timed doing nothing). Debian's package
# parallel diverts moreutils' binary to parallel.moreutils, so installing it is enough.
function Find-GnuParallel {
    $candidates = @(Get-Command parallel -CommandType Application -All -ErrorAction Ignore).Source + '/usr/bin/parallel' |
        Where-Object { $_ -and (Test-Path $_) } | Select-Object -Unique
    foreach ($candidate in $candidates) {
        $version = (& $candidate --version 2>&1 | Select-Object -First 1) -join ''
        if ($version -match '^GNU parallel') { return $candidate }
    }
}
$gnuParallel = if ($Part -ne 'Script') { Find-GnuParallel } else { 'not needed' }
if (-not $gnuParallel -and (Get-Command apt-get -ErrorAction Ignore)) {
    Write-Host 'Installing GNU parallel (Debian package parallel; it diverts moreutils'' parallel)...'
    apt-get update -qq | Out-Null
    apt-get install -y -qq parallel | Out-Null
    $gnuParallel = Find-GnuParallel
}
if (-not $gnuParallel) {
    $found = (Get-Command parallel -CommandType Application -ErrorAction Ignore).Source
    throw "GNU parallel is needed as a peer, but $(if ($found) { "the parallel on PATH ($found) is not GNU parallel (moreutils ships one of that name)" } else { 'none is installed' }). Install it: apt-get install parallel (Debian, Ubuntu), brew install parallel (macOS)."
}
if ($Part -ne 'Script') { Write-Host "Peer: $((& $gnuParallel --version | Select-Object -First 1)) at $gnuParallel" }
$env:WORKFLOW_AUTOMATION_HOME = Join-Path ([IO.Path]::GetTempPath()) "wa-bench-$PID"
New-Item -ItemType Directory -Force $env:WORKFLOW_AUTOMATION_HOME | Out-Null
Import-Module (Join-Path $ModulePath 'WorkflowAutomation.psd1') -Force
Import-Module (Join-Path $PSScriptRoot 'lib/BenchFigures.psm1')

$rows = [Collections.Generic.List[object]]::new()
function Measure-Rate([string] $Workload, [string] $Runner, [int] $Count, [scriptblock] $Body) {
    $elapsed = Measure-Command $Body
    $row = [pscustomobject]@{ Workload = $Workload; Runner = $Runner; Seconds = [math]::Round($elapsed.TotalSeconds, 3); PerSecond = [math]::Round($Count / $elapsed.TotalSeconds) }
    $rows.Add($row)
    Write-Host ('{0,-28} {1,-34} {2,8:N3} s {3,9:N0} /s' -f $Workload, $Runner, $row.Seconds, $row.PerSecond)
    $row
}
function Ratio($ours, $peer) { [math]::Round($ours.PerSecond / $peer.PerSecond, 2) }
function Write-Median([string] $Workload, [string] $Runner, [int] $Count, [double[]] $Seconds) {
    $median = ($Seconds | Sort-Object)[[math]::Floor($Seconds.Count / 2)]
    $row = [pscustomobject]@{ Workload = $Workload; Runner = $Runner; Seconds = [math]::Round($median, 3); PerSecond = [math]::Round($Count / $median) }
    $rows.Add($row)
    Write-Host ('{0,-28} {1,-34} {2,8:N3} s {3,9:N0} /s  (median of {4})' -f $Workload, $Runner, $row.Seconds, $row.PerSecond, $Seconds.Count)
    $row
}

# Warm-up, as a session that has used the cmdlet before: JIT (to its optimised tier), the
# worker runspaces, the process-start path.
$lines = 1..$ProcessTasks | ForEach-Object { '5:true' }
foreach ($throttle in @(if ($Part -ne 'Script') { 2, 8, 2, 8, 2 })) { $null = $lines | Invoke-ParallelBatch -ThrottleLimit $throttle }
# Script blocks until the JIT has tiered up the per-task path (it does so over a dozen batches).
foreach ($round in 1..8) { $null = 1..$ScriptTasks | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } -ThrottleLimit 2; $null = 1..$ScriptTasks | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } }

# The machine's ceiling for process tasks: threads doing nothing but posix_spawn and waitpid
# (no output capture, no bookkeeping). No executor in this process can start 'true' faster.
Add-Type -TypeDefinition @'
using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;

public static class SpawnCeiling
{
    [DllImport("libc")]
    private static extern int posix_spawn(out int pid, string path, IntPtr actions, IntPtr attributes, string[] argv, IntPtr[] envp);

    [DllImport("libc")]
    private static extern int waitpid(int pid, out int status, int options);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_init(IntPtr actions);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_adddup2(IntPtr actions, int fd, int newFd);

    [DllImport("libc")]
    private static extern int posix_spawn_file_actions_destroy(IntPtr actions);

    [DllImport("libc")]
    private static extern int pipe2(int[] fds, int flags);

    [DllImport("libc")]
    private static extern nint read(int fd, byte[] buffer, nint count);

    [DllImport("libc")]
    private static extern int close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)] public long[] Rest;
    }

    [DllImport("libc")]
    private static extern int getrusage(int who, ref RUsage usage);

    /// <summary>CPU seconds used so far by this process and its waited-for children (user + system).</summary>
    public static double CpuSeconds()
    {
        double total = 0;
        foreach (var who in new[] { 0, -1 })
        {
            var usage = new RUsage();
            getrusage(who, ref usage);
            total += usage.UserSeconds + usage.UserMicroseconds / 1e6 + usage.SystemSeconds + usage.SystemMicroseconds / 1e6;
        }
        return total;
    }

    public static double PerSecond(string program, int count, int threads)
    {
        var argv = new[] { program, null };
        var envp = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Select(k => Marshal.StringToCoTaskMemUTF8(k + "=" + Environment.GetEnvironmentVariable(k))).Append(IntPtr.Zero).ToArray();
        var next = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                int pid, status;
                posix_spawn(out pid, program, IntPtr.Zero, IntPtr.Zero, argv, envp);
                waitpid(pid, out status, 0);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// The same loop, plus the least any executor that keeps a task's output must add: two
    /// pipes, dup2 onto stdout and stderr, and each read to its end (one after the other:
    /// cheaper than watching both, so a floor).
    /// </summary>
    public static double PerSecondCapturingOutput(string program, int count, int threads)
    {
        const int CloseOnExec = 0x80000;
        var argv = new[] { program, null };
        var envp = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Select(k => Marshal.StringToCoTaskMemUTF8(k + "=" + Environment.GetEnvironmentVariable(k))).Append(IntPtr.Zero).ToArray();
        var next = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            var actions = Marshal.AllocHGlobal(256);
            var buffer = new byte[4096];
            var stdout = new int[2];
            var stderr = new int[2];
            while (Interlocked.Increment(ref next) <= count)
            {
                pipe2(stdout, CloseOnExec);
                pipe2(stderr, CloseOnExec);
                posix_spawn_file_actions_init(actions);
                posix_spawn_file_actions_adddup2(actions, stdout[1], 1);
                posix_spawn_file_actions_adddup2(actions, stderr[1], 2);
                int pid, status;
                posix_spawn(out pid, program, actions, IntPtr.Zero, argv, envp);
                posix_spawn_file_actions_destroy(actions);
                close(stdout[1]);
                close(stderr[1]);
                while (read(stdout[0], buffer, buffer.Length) > 0) { }
                while (read(stderr[0], buffer, buffer.Length) > 0) { }
                close(stdout[0]);
                close(stderr[0]);
                waitpid(pid, out status, 0);
            }
            Marshal.FreeHGlobal(actions);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return count / clock.Elapsed.TotalSeconds;
    }
}
'@
$truePath = (Get-Command true -CommandType Application | Select-Object -First 1).Source
$null = [SpawnCeiling]::PerSecond($truePath, 200, 2)

$ratios = [Collections.Generic.List[object]]::new()
foreach ($throttle in @(if ($Part -ne 'Script') { 2, 8 })) {
    $workload = "$ProcessTasks x true, throttle $throttle"
    # 'as a user writes it' keeps the results in a variable at the script's top level, outside
    # Measure-Command's script block (the way issue reports and READMEs show the cmdlet).
    $runners = [ordered]@{
        'Invoke-ParallelBatch' = { $lines | Invoke-ParallelBatch -ThrottleLimit $throttle | Out-Null }
        'Invoke-ParallelBatch, as a user writes it' = $null
        'xargs -P' = { bash -c "seq $ProcessTasks | xargs -n1 -P$throttle true" }
        'GNU parallel' = { bash -c "seq $ProcessTasks | '$gnuParallel' --will-cite -j$throttle true" }
        'ForEach-Object -Parallel' = { 1..$ProcessTasks | ForEach-Object -Parallel { & /bin/true } -ThrottleLimit $throttle }
        'posix_spawn+waitpid only (ceiling)' = { $null = [SpawnCeiling]::PerSecond($truePath, $ProcessTasks, $throttle) }
        'the same, output captured (floor of keeping output)' = { $null = [SpawnCeiling]::PerSecondCapturingOutput($truePath, $ProcessTasks, $throttle) }
    }
    $seconds = @{}
    $cpu = @{}
    foreach ($round in 1..$Rounds) {
        foreach ($runner in $runners.Keys) {
            $cpuBefore = [SpawnCeiling]::CpuSeconds()
            if ($runners[$runner]) {
                $elapsed = (Measure-Command $runners[$runner]).TotalSeconds
            }
            else {
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $results = $lines | Invoke-ParallelBatch -ThrottleLimit $throttle
                $elapsed = $clock.Elapsed.TotalSeconds
                $results = $null
            }
            $seconds[$runner] += @($elapsed)
            $cpu[$runner] += @([SpawnCeiling]::CpuSeconds() - $cpuBefore)
        }
    }
    $ours, $user, $xargs, $gnu, $feParallel, $ceiling, $captured = foreach ($runner in $runners.Keys) { Write-Median $workload $runner $ProcessTasks $seconds[$runner] }
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'xargs -P'; Ratio = Ratio $ours $xargs; Target = 0.9 })
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'GNU parallel'; Ratio = Ratio $ours $gnu; Target = 5 })
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'ForEach-Object -Parallel'; Ratio = Ratio $ours $feParallel; Target = 7 })
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = "ceiling ($($ceiling.PerSecond)/s = $(Ratio $ceiling $feParallel)x FE -Parallel)"; Ratio = Ratio $ours $ceiling; Target = 0.97 })
    $ratios.Add([pscustomobject]@{ Workload = "$workload, ``$results = `$lines | Invoke-ParallelBatch``"; Peer = 'ceiling'; Ratio = Ratio $user $ceiling; Target = 0.97 })
    # Context: what output capture alone costs at the ceiling, and how close we are to that.
    $ratios.Add([pscustomobject]@{ Workload = "$workload, output captured (floor)"; Peer = 'ceiling'; Ratio = Ratio $captured $ceiling; Target = $null })
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'ceiling with output captured'; Ratio = Ratio $ours $captured; Target = $null })
    # CPU per task (this process and its children, user + system): on a busy machine a steadier
    # view of the overhead than wall time; the children's own run is in both.
    $cpuOurs = ($cpu['Invoke-ParallelBatch'] | Sort-Object)[[math]::Floor($Rounds / 2)] / $ProcessTasks * 1e6
    $cpuCeiling = ($cpu['posix_spawn+waitpid only (ceiling)'] | Sort-Object)[[math]::Floor($Rounds / 2)] / $ProcessTasks * 1e6
    Write-Host ('{0,-28} CPU per task: Invoke-ParallelBatch {1:N0} us, ceiling {2:N0} us' -f $workload, $cpuOurs, $cpuCeiling)
    Add-BenchFigure -Bench parallel -Measure "$workload, CPU per task (process + children)" -Figure ('{0:N0} us vs ceiling {1:N0} us ({2:N2}x)' -f $cpuOurs, $cpuCeiling, ($cpuOurs / $cpuCeiling))
}

if ($Part -ne 'Process') {
    $workload = "$ScriptTasks x { `$_ * 2 }, throttle 2"
    $tasks = 1..$ScriptTasks | ForEach-Object { New-ParallelTask -ScriptBlock { $_ * 2 } -ArgumentList $_ }
    $runners = [ordered]@{
        'Invoke-ParallelBatch -ScriptBlock' = { 1..$ScriptTasks | Invoke-ParallelBatch -ScriptBlock { $_ * 2 } -ThrottleLimit 2 | Out-Null }
        'Invoke-ParallelBatch, the user''s way' = { $doubled = 1..$ScriptTasks | Invoke-ParallelBatch -ScriptBlock { $_ * 2 }; if ($doubled.Count -ne $ScriptTasks) { throw "The user's way wrote $($doubled.Count) results." } }
        'Invoke-ParallelBatch, task objects' = { $tasks | Invoke-ParallelBatch -ThrottleLimit 2 | Out-Null }
        'RunspacePool(1,2) BeginInvoke' = {
            $runspaces = [runspacefactory]::CreateRunspacePool(1, 2)
            $runspaces.Open()
            $pending = foreach ($i in 1..$ScriptTasks) {
                $shell = [powershell]::Create()
                $shell.RunspacePool = $runspaces
                $null = $shell.AddScript('$args[0] * 2').AddArgument($i)
                [pscustomobject]@{ Shell = $shell; Handle = $shell.BeginInvoke() }
            }
            foreach ($item in $pending) { $null = $item.Shell.EndInvoke($item.Handle); $item.Shell.Dispose() }
            $runspaces.Dispose()
        }
        'ForEach-Object -Parallel' = { 1..$ScriptTasks | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit 2 | Out-Null }
    }
    $seconds = @{}
    foreach ($round in 1..$ScriptRounds) {
        foreach ($runner in $runners.Keys) { $seconds[$runner] += @((Measure-Command $runners[$runner]).TotalSeconds) }
    }
    $ours, $oursUser, $oursTasks, $pool, $feParallel = foreach ($runner in $runners.Keys) { Write-Median $workload $runner $ScriptTasks $seconds[$runner] }
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'ForEach-Object -Parallel'; Ratio = Ratio $ours $feParallel; Target = 100 })
    $ratios.Add([pscustomobject]@{ Workload = $workload; Peer = 'RunspacePool BeginInvoke'; Ratio = Ratio $ours $pool; Target = 8 })
    $ratios.Add([pscustomobject]@{ Workload = "$ScriptTasks x { `$_ * 2 }, the user's way (default throttle, output kept)"; Peer = 'ForEach-Object -Parallel'; Ratio = Ratio $oursUser $feParallel; Target = 100 })
    $ratios.Add([pscustomobject]@{ Workload = "$ScriptTasks x { `$_ * 2 }, the user's way (default throttle, output kept)"; Peer = 'RunspacePool BeginInvoke'; Ratio = Ratio $oursUser $pool; Target = 8 })
    $ratios.Add([pscustomobject]@{ Workload = "$workload, New-ParallelTask objects"; Peer = 'ForEach-Object -Parallel'; Ratio = Ratio $oursTasks $feParallel; Target = 20 })
}

# Pickup latency of an idle pool: a chain of tasks, each queued only when the one before
# it has finished, so every pickup finds the workers idle (blocked, not spinning).
if ($Part -ne 'Process') {
$chain = 1..$LatencySamples | ForEach-Object {
    New-ParallelTask -Id "c$_" -ScriptBlock { [Threading.Thread]::Sleep(2) } -DependsOn @(if ($_ -gt 1) { "c$($_ - 1)" })
}
$summary = $chain | Invoke-ParallelBatch -ThrottleLimit 2 -Summary | Select-Object -Last 1
$runspaces = [runspacefactory]::CreateRunspacePool(1, 2)
$runspaces.Open()
$poolLatency = foreach ($i in 1..$LatencySamples) {
    $shell = [powershell]::Create()
    $shell.RunspacePool = $runspaces
    $null = $shell.AddScript('[Diagnostics.Stopwatch]::GetTimestamp()')
    $queued = [Diagnostics.Stopwatch]::GetTimestamp()
    $started = $shell.Invoke()[0]
    $shell.Dispose()
    [Threading.Thread]::Sleep(2)
    ($started - $queued) * 1000.0 / [Diagnostics.Stopwatch]::Frequency
}
$runspaces.Dispose()
$sorted = $poolLatency | Sort-Object
$poolP50 = $sorted[[math]::Ceiling(0.5 * $sorted.Count) - 1]
$poolP99 = $sorted[[math]::Ceiling(0.99 * $sorted.Count) - 1]
Write-Host ('{0,-28} {1,-34} p50 {2,7:N3} ms  p99 {3,7:N3} ms' -f 'idle-pool pickup', 'Invoke-ParallelBatch', $summary.PickupLatencyP50.TotalMilliseconds, $summary.PickupLatencyP99.TotalMilliseconds)
Write-Host ('{0,-28} {1,-34} p50 {2,7:N3} ms  p99 {3,7:N3} ms' -f 'idle-pool pickup', 'RunspacePool(1,2) Invoke', $poolP50, $poolP99)
$ratios.Add([pscustomobject]@{ Workload = 'idle-pool pickup p99 (ms, target < 1)'; Peer = '-'; Ratio = [math]::Round($summary.PickupLatencyP99.TotalMilliseconds, 3); Target = 1 })
}

Write-Host ''
Write-Host 'Ratios (ours / peer throughput; higher is better):'
$ratios | Format-Table Workload, Peer, Ratio, Target -AutoSize | Out-String -Width 200 | Write-Host
foreach ($ratio in $ratios) {
    # The pickup latency is a time (lower is better); every other figure is a throughput ratio.
    $lowerIsBetter = $ratio.Workload -like 'idle-pool pickup*'
    $figure = if ($lowerIsBetter) { "$($ratio.Ratio) ms" } else { "$($ratio.Ratio)x $($ratio.Peer)" }
    $target = if ($null -eq $ratio.Target) { '' } elseif ($lowerIsBetter) { "< $($ratio.Target) ms" } else { ">= $($ratio.Target)x" }
    $met = if ($null -eq $ratio.Target) { $null } elseif ($lowerIsBetter) { $ratio.Ratio -lt $ratio.Target } else { $ratio.Ratio -ge $ratio.Target }
    Add-BenchFigure -Bench parallel -Measure $ratio.Workload -Figure $figure -Target $target -Met $met
}
Remove-Item $env:WORKFLOW_AUTOMATION_HOME -Recurse -Force -ErrorAction Ignore
