using System.Management.Automation;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.PowerShell.Hosting;
using WorkflowAutomation.PowerShell.Infrastructure;
using WorkflowAutomation.PowerShell.Jobs;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Injects a real fault for a while, measures it, reverts it, and returns a ChaosResult.</summary>
/// <remarks>
/// The seed's chaos_test.sh with named parameters. Cpu keeps -Percent of -Cores busy; Memory
/// holds -MegaBytes resident; Disk fills the filesystem of -Path to -FillPercent (never past
/// 99 % and never below -MinFreeMegaBytes free); Process kills -Count processes chosen by
/// -Target (name:pattern, pid:n, run:id, daemon), never pid 1 or this session; Corruption
/// damages the file -Path (FlipBytes, Truncate, ZeroPage) and restores it byte for byte;
/// Network puts a TCP fault proxy on 127.0.0.1:-ListenPort in front of -Target host:port
/// with Toxiproxy's toxics, or with -Netem a tc netem rule (delay, loss, corruption) on this
/// machine's packets towards -Target's addresses only (Linux, root). Suite runs the
/// framework's own resilience experiments against a daemon of this module in a scratch state
/// directory (kill -9 mid-run, CPU saturation, memory pressure, a full disk, a corrupted
/// metrics inbox file, webhook latency and resets), each with a score and a verdict.
/// -Experiment runs a declared experiment file.
/// Every fault needs CHAOS_ENABLED=true (error ChaosDisabled otherwise) and asks for
/// confirmation (-Force skips it); -WhatIf lists exactly what would be touched. Everything is
/// reverted at the end, on Ctrl+C, on Stop-Job and on a safeguard breach; what a killed test
/// left behind is undone by the next test or by -Recover, from the rollback journal in the
/// state directory. Results are kept in chaos.db (Get-ChaosResult).
/// </remarks>
/// <example>
/// <code>$env:CHAOS_ENABLED = 'true'; Invoke-ChaosTest -Type Cpu -DurationSeconds 60 -Percent 80 -Force</code>
/// <para>The seed's "chaos_test.sh cpu 60 80": 80 % of every core for a minute.</para>
/// </example>
/// <example>
/// <code>Invoke-ChaosTest -Type Network -Target 127.0.0.1:5432 -ListenPort 15432 -LatencyMs 100 -JitterMs 10 -DurationSeconds 30 -Force</code>
/// <para>Clients connecting to 127.0.0.1:15432 reach the database with 100 ± 10 ms more latency.</para>
/// </example>
/// <example>
/// <code>Invoke-ChaosTest -Type Disk -Path /var/lib/app -FillPercent 90 -WhatIf</code>
/// <para>Shows the filler file that would be created and how full the filesystem would become.</para>
/// </example>
/// <example>
/// <code>Invoke-ChaosTest -Type Suite -Force -ReportPath ./resilience.html; (Get-ChaosResult -Type Suite -First 1).Children</code>
/// <para>The seed's "chaos_test.sh suite": six resilience experiments against a scratch daemon in about 40 s, then each experiment's score and verdict.</para>
/// </example>
/// <example>
/// <code>Invoke-ChaosTest -Type Network -Netem -Target 10.0.0.2:5432 -LatencyMs 100 -LossPercent 5 -DurationSeconds 30 -Force</code>
/// <para>Packets from this machine to 10.0.0.2 are delayed 100 ms and 5 % of them dropped; the round trip to port 5432 is measured. Other traffic is untouched.</para>
/// </example>
/// <example>
/// <code>Invoke-ChaosTest -Recover</code>
/// <para>Reverts what a killed chaos test left behind (filler files, corrupted files).</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "ChaosTest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = FaultSet)]
[OutputType(typeof(ChaosResult), ParameterSetName = [FaultSet, ExperimentSet])]
[OutputType(typeof(ChaosTouch), ParameterSetName = [RecoverSet])]
[OutputType(typeof(Job))]
public sealed class InvokeChaosTestCommand : WorkflowCmdlet
{
    private const string FaultSet = "Fault";
    private const string ExperimentSet = "Experiment";
    private const string RecoverSet = "Recover";

    /// <summary>The fault: Cpu, Memory, Disk, Network, Process or Corruption; or Suite, the framework's own resilience experiments.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = FaultSet)]
    [ValidateSet("Cpu", "Memory", "Disk", "Network", "Process", "Corruption", "Suite", IgnoreCase = true)]
    public ChaosFaultType Type { get; set; }

    /// <summary>A declared experiment (YAML: steady-state hypothesis, method, rollbacks, safeguards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ExperimentSet)]
    public string Experiment { get; set; } = string.Empty;

    /// <summary>Reverts what killed chaos tests left behind, from the rollback journal, and writes what was reverted.</summary>
    [Parameter(Mandatory = true, ParameterSetName = RecoverSet)]
    public SwitchParameter Recover { get; set; }

    /// <summary>How long the fault lasts, in seconds. The default is 30; for Suite, how long its CPU, memory and disk faults last (default 4).</summary>
    [Parameter(Position = 1, ParameterSetName = FaultSet)]
    [ValidateRange(1, 86400)]
    public int DurationSeconds { get; set; } = 30;

    /// <summary>Cpu: the percent of each loaded core kept busy (1-100). The default is 80 (100 for Suite's CPU saturation).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, 100)]
    public int Percent { get; set; } = 80;

    /// <summary>Cpu: how many cores are loaded. The default is every core.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, 4096)]
    public int Cores { get; set; }

    /// <summary>Memory: megabytes held resident. The default is 512 (256 for Suite's memory pressure).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, 1048576)]
    public int MegaBytes { get; set; } = 512;

    /// <summary>Disk: how full the filesystem of -Path becomes, in percent (at most 99). The default is 90.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, 99)]
    public int FillPercent { get; set; } = 90;

    /// <summary>Disk: a folder on the filesystem to fill. Corruption: the file to corrupt.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public string? Path { get; set; }

    /// <summary>Disk: free space always left, in MB, whatever -FillPercent says. The default is 100.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int MinFreeMegaBytes { get; set; } = 100;

    /// <summary>Network: the host:port the proxy forwards to (with -Netem: host or host:port). Process: name:&lt;pattern&gt;, pid:&lt;pid&gt;[,&lt;pid&gt;], run:&lt;run id&gt; or daemon. Suite: the experiments to run, comma-separated (kill, cpu, memory, disk, inbox, webhook); all by default.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public string? Target { get; set; }

    /// <summary>Process: how many processes are killed. The default is 1.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, 1000)]
    public int Count { get; set; } = 1;

    /// <summary>Process: seconds between kills. The default is 0 (all at once).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, 86400)]
    public double IntervalSeconds { get; set; }

    /// <summary>Corruption: FlipBytes, Truncate or ZeroPage. The default is FlipBytes.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public CorruptionMode Mode { get; set; } = CorruptionMode.FlipBytes;

    /// <summary>Corruption: how many bytes FlipBytes inverts. The default is 16.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(1, int.MaxValue)]
    public int Bytes { get; set; } = 16;

    /// <summary>Network: the proxy's port on 127.0.0.1; 0 picks a free one (shown in the result's Parameters.ProxyEndpoint).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, 65535)]
    public int ListenPort { get; set; }

    /// <summary>Network: latency toxic, milliseconds added to the data.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, 600000)]
    public int LatencyMs { get; set; }

    /// <summary>Network: latency jitter, ± milliseconds.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, 600000)]
    public int JitterMs { get; set; }

    /// <summary>Network: bandwidth toxic, at most this many KB/s.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int BandwidthKBps { get; set; }

    /// <summary>Network: timeout toxic, no data passes and the connection closes after this many ms (0: stays open, silent).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int TimeoutMs { get; set; } = -1;

    /// <summary>Network: reset_peer toxic, connections are reset (TCP RST) after this many ms.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int ResetPeerMs { get; set; } = -1;

    /// <summary>Network: slicer toxic, data is cut into pieces of about this many bytes.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int SliceBytes { get; set; }

    /// <summary>Network: slicer toxic, microseconds between pieces.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int SliceDelayMicroseconds { get; set; }

    /// <summary>Network: limit_data toxic, the connection closes once this many bytes have passed.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0, long.MaxValue)]
    public long LimitBytes { get; set; }

    /// <summary>Network: down toxic, every new connection is reset.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public SwitchParameter Down { get; set; }

    /// <summary>Network: instead of a proxy, a tc netem rule on this machine's packets towards -Target's resolved addresses only (Linux, root); -LatencyMs and -JitterMs set its delay.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public SwitchParameter Netem { get; set; }

    /// <summary>Network with -Netem: the percent of packets towards the target that are dropped.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0.0, 100.0)]
    public double LossPercent { get; set; }

    /// <summary>Network with -Netem: the percent of packets towards the target with a flipped bit.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0.0, 100.0)]
    public double CorruptPercent { get; set; }

    /// <summary>Network: the stream the toxics act on: Downstream (server to client, the default), Upstream or Both.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public ToxicDirection Direction { get; set; } = ToxicDirection.Downstream;

    /// <summary>Network: the probability (0 to 1) that a connection gets the toxics. The default is 1.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [ValidateRange(0.0, 1.0)]
    public double Toxicity { get; set; } = 1.0;

    /// <summary>Seeds the random choices (bytes flipped, processes picked, jitter) so a test repeats exactly.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    public int Seed { get; set; } = -1;

    /// <summary>Writes a self-contained HTML report of the result to this file.</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [Parameter(ParameterSetName = ExperimentSet)]
    public string? ReportPath { get; set; }

    /// <summary>Runs without asking for confirmation (for runbooks); CHAOS_ENABLED must still be true.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Runs in the background as a job of this session (Receive-Job returns the result; Stop-Job reverts).</summary>
    [Parameter(ParameterSetName = FaultSet)]
    [Parameter(ParameterSetName = ExperimentSet)]
    public SwitchParameter AsJob { get; set; }

    private bool WhatIfOnly => MyInvocation.BoundParameters.TryGetValue("WhatIf", out var value) && value is SwitchParameter { IsPresent: true };

    protected override void Process()
    {
        if (Recover)
        {
            RecoverLeftovers();
            return;
        }
        ChaosSafety.RequireEnabled(Configuration);
        if (!WhatIfOnly)
        {
            foreach (var touch in new ChaosResults(State).Recover())
            {
                WriteWarning($"Reverted what an earlier chaos test left: {touch.Kind} {touch.What}: {touch.Revert}.");
            }
        }
        var experiment = ParameterSetName == ExperimentSet;
        var plan = ChaosPlan.Create(experiment ? ResolvePath(Experiment) : null, experiment ? new ChaosFaultOptions() : Options(), State, Configuration,
            suiteOptions: !experiment && Type == ChaosFaultType.Suite ? SuiteOptions() : null);
        var action = $"Inject chaos: {plan.Name}";
        if (WhatIfOnly)
        {
            foreach (var line in plan.Touches)
            {
                ShouldProcess(line, action);
            }
            return;
        }
        if (!Force && !ShouldProcess(string.Join("; ", plan.Touches), action))
        {
            return;
        }
        var reportPath = ReportPath is null ? null : ResolvePath(ReportPath);
        Task<ChaosResult> Work(Action<ChaosProgress> progress, CancellationToken token) => plan.RunAsync(progress, reportPath, token);
        if (AsJob)
        {
            var job = new ChaosJob(MyInvocation.Line, plan.Name, Work);
            JobRepository.Add(job);
            job.Start();
            WriteObject(job);
            return;
        }
        var pump = new PipelinePump();
        var result = pump.Run(Task.Run(() => Work(progress => pump.Post(() => WriteProgress(ChaosProgressRecord.From(progress))), Cancellation)));
        WriteProgress(new ProgressRecord(1, plan.Name, "reverted") { RecordType = ProgressRecordType.Completed });
        if (Cancellation.IsCancellationRequested)
        {
            // Ctrl+C: reverted and recorded (Get-ChaosResult); the pipeline is already stopping.
            throw new PipelineStoppedException();
        }
        WriteObject(result);
        if (result.Verdict != ChaosVerdict.Passed)
        {
            WriteError(ErrorRecords.From(new ChaosTestFailedException(result), result));
        }
    }

    private void RecoverLeftovers()
    {
        var whatIf = WhatIfOnly;
        // Under -WhatIf, ShouldProcess only lists and answers no.
        foreach (var touch in new ChaosResults(State).Recover(what => whatIf ? ShouldProcess(what, "Revert") : Force || ShouldProcess(what, "Revert")))
        {
            WriteObject(touch);
        }
    }

    private ChaosSuiteOptions SuiteOptions() => new()
    {
        Launch = DaemonCmdlet.LaunchSettings(this, null, noDashboard: true),
        FaultDuration = TimeSpan.FromSeconds(Bound(nameof(DurationSeconds)) ? DurationSeconds : 4),
        CpuPercent = Bound(nameof(Percent)) ? Percent : 100,
        MemoryMegaBytes = Bound(nameof(MegaBytes)) ? MegaBytes : 256,
        Experiments = Target?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    private bool Bound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

    private ChaosFaultOptions Options() => new()
    {
        Type = Type,
        Target = Target,
        Percent = Percent,
        Cores = Cores > 0 ? Cores : null,
        MegaBytes = MegaBytes,
        FillPercent = FillPercent,
        Path = Path is null ? null : ResolvePath(Path),
        MinFreeMegaBytes = MinFreeMegaBytes,
        Count = Count,
        Interval = TimeSpan.FromSeconds(IntervalSeconds),
        Mode = Mode,
        Bytes = Bytes,
        ListenPort = ListenPort,
        Seed = Seed >= 0 ? Seed : null,
        Netem = Netem,
        LossPercent = LossPercent,
        CorruptPercent = CorruptPercent,
        Duration = TimeSpan.FromSeconds(DurationSeconds),
        Toxics = new ToxicSettings
        {
            LatencyMs = LatencyMs,
            JitterMs = JitterMs,
            BandwidthKBps = BandwidthKBps,
            TimeoutMs = TimeoutMs >= 0 ? TimeoutMs : null,
            ResetPeerMs = ResetPeerMs >= 0 ? ResetPeerMs : null,
            SliceBytes = SliceBytes,
            SliceDelayMicroseconds = SliceDelayMicroseconds,
            LimitBytes = LimitBytes,
            Down = Down,
            Direction = Direction,
            Toxicity = Toxicity,
        },
    };

    private string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
