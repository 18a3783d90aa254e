using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// A metrics inbox file damaged by the corruption fault lands in the inbox beside two good
/// ones: the daemon moves the bad one to metrics-inbox/rejected/ with a reason naming it,
/// ingests the good ones, and goes on.
/// </summary>
internal sealed class CorruptInboxExperiment : SuiteExperiment
{
    private const string CorruptName = "suite-corrupt.json";

    public override string Key => "inbox";

    public override string Title => "Corrupted metrics inbox file: rejected, the rest ingested";

    public override ChaosFaultType Type => ChaosFaultType.Corruption;

    public override string Plan(ChaosSuiteOptions options) =>
        "Truncate a metrics file with the corruption fault and drop it into the scratch daemon's metrics-inbox/ with two good files; the damaged file is restored byte for byte at the end";

    public override double ExpectedSeconds(ChaosSuiteOptions options) => 3;

    protected override async Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token)
    {
        var inbox = suite.Scratch.EnsureFolder(suite.Scratch.MetricsInbox);
        var staging = suite.Scratch.EnsureFolder(Path.Combine(suite.Scratch.Root, "inbox-staging"));
        var victim = Path.Combine(staging, CorruptName);
        OwnerOnly.WriteAllText(victim, """[{"name": "chaos.suite.corrupt", "value": 3, "type": "gauge"}]""");
        var pidBefore = (await suite.StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false)).Status?.ProcessId;
        var fault = ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Corruption, Path = victim, Mode = CorruptionMode.Truncate }, suite.Scratch);
        var original = RollbackJournal.Hash(victim);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var running = suite.Runner.RunIntoAsync(result, fault, TimeSpan.FromSeconds(60), stop.Token);
        try
        {
            if (!await SuiteContext.UntilAsync(() => RollbackJournal.Hash(victim) != original, TimeSpan.FromSeconds(10), token).ConfigureAwait(false))
            {
                Check(suite, result, "the metrics file was corrupted", false, "the corruption fault did not change it within 10 s");
                return;
            }
            Drop(inbox, "suite-good-a.json", """[{"name": "chaos.suite.good_a", "value": 1, "type": "gauge"}]""");
            Drop(inbox, CorruptName, File.ReadAllText(victim));
            Drop(inbox, "suite-good-b.json", """[{"name": "chaos.suite.good_b", "value": 2, "type": "counter"}]""");
            var rejected = Path.Combine(inbox, "rejected", CorruptName);
            var settled = await SuiteContext.UntilAsync(() => File.Exists(rejected) && Directory.GetFiles(inbox, "*.json").Length == 0,
                TimeSpan.FromSeconds(20), token, 200).ConfigureAwait(false);
            var reason = File.Exists(rejected + ".reason") ? File.ReadAllText(rejected + ".reason").Trim() : null;
            Check(suite, result, "the corrupted file was quarantined with a reason naming it", File.Exists(rejected) && reason?.StartsWith(CorruptName, StringComparison.Ordinal) == true,
                reason is null ? $"no {rejected}.reason" : $"metrics-inbox/rejected/{CorruptName}: {reason}");
            var left = Directory.GetFiles(inbox, "*.json").Select(Path.GetFileName).ToList();
            Check(suite, result, "the inbox was emptied", settled && left.Count == 0, left.Count == 0 ? "no *.json file left" : "left: " + string.Join(", ", left));
            var a = suite.Metrics.Latest("chaos.suite.good_a").FirstOrDefault()?.Value;
            var b = suite.Metrics.Latest("chaos.suite.good_b").FirstOrDefault()?.Value;
            Check(suite, result, "the good files beside it were ingested", a == 1 && b == 2,
                $"chaos.suite.good_a = {a?.ToString() ?? "missing"}, chaos.suite.good_b = {b?.ToString() ?? "missing"}");
            var after = (await suite.StatusAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false)).Status;
            Check(suite, result, "the daemon went on (the same process, answering)", after?.ProcessId is { } pid && pid == pidBefore,
                $"process {pidBefore} before, {after?.ProcessId.ToString() ?? "none"} after");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await running.ConfigureAwait(false);
        }
        Check(suite, result, "the damaged file was restored byte for byte", RollbackJournal.Hash(victim) == original, "SHA-256 compared with the original");
    }

    /// <summary>Writes to a hidden temporary name, then renames: the inbox never sees half a file.</summary>
    private static void Drop(string inbox, string name, string content)
    {
        var temporary = Path.Combine(inbox, "." + name + ".tmp");
        OwnerOnly.WriteAllText(temporary, content);
        File.Move(temporary, Path.Combine(inbox, name));
    }
}
