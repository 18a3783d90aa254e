using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Run-end webhooks sent through the TCP fault proxy: one with 300 ms of latency, one whose
/// first connection is reset. Both are delivered, once; the reset one only after the
/// notifier retried on a new connection.
/// </summary>
internal sealed class WebhookExperiment : SuiteExperiment
{
    private const int LatencyMs = 300;

    public override string Key => "webhook";

    public override string Title => "Webhook latency and resets through the fault proxy: retried and delivered";

    public override ChaosFaultType Type => ChaosFaultType.Network;

    public override string Plan(ChaosSuiteOptions options) =>
        $"Start a webhook receiver and two TCP fault proxies on 127.0.0.1 (latency {LatencyMs} ms; reset_peer on the first connection); two runs notify through them; all closed at the end";

    public override double ExpectedSeconds(ChaosSuiteOptions options) => 4;

    protected override async Task ExecuteAsync(SuiteContext suite, ChaosResult result, CancellationToken token)
    {
        using var receiver = new WebhookReceiver();
        var target = $"127.0.0.1:{receiver.Port}";
        var slow = (NetworkFault)ChaosFaults.Create(new ChaosFaultOptions { Type = ChaosFaultType.Network, Target = target, Toxics = new ToxicSettings { LatencyMs = LatencyMs } }, suite.Scratch);
        // The proxy decides per connection with its seeded random; this seed makes the first connection toxic and the second clean.
        var reset = (NetworkFault)ChaosFaults.Create(new ChaosFaultOptions
        {
            Type = ChaosFaultType.Network, Target = target, Seed = FirstToxicThenClean(0.5),
            Toxics = new ToxicSettings { ResetPeerMs = 0, Toxicity = 0.5 },
        }, suite.Scratch);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var slowRunning = suite.Runner.RunIntoAsync(result, slow, TimeSpan.FromSeconds(120), stop.Token);
        var resetRunning = suite.Runner.RunIntoAsync(result, reset, TimeSpan.FromSeconds(120), stop.Token);
        try
        {
            if (!await SuiteContext.UntilAsync(() => slow.Proxy is not null && reset.Proxy is not null, TimeSpan.FromSeconds(10), token).ConfigureAwait(false))
            {
                Check(suite, result, "the fault proxies listened", false, "not within 10 s");
                return;
            }
            var latencyRun = suite.Submit(suite.Workflow("suite-webhook-latency", Notifying("suite-webhook-latency", slow, "latency")), token).Run;
            var resetRun = suite.Submit(suite.Workflow("suite-webhook-reset", Notifying("suite-webhook-reset", reset, "reset")), token).Run;
            await SuiteContext.UntilAsync(() => receiver.Deliveries.Count(d => d.RunId == latencyRun.Id) + receiver.Deliveries.Count(d => d.RunId == resetRun.Id) >= 2,
                TimeSpan.FromSeconds(30), token, 100).ConfigureAwait(false);
            var latencyEnded = suite.WaitRun(latencyRun.Id, TimeSpan.FromSeconds(10), token);
            // A retry after a delivery would show as a second one: wait a moment for it.
            await Task.Delay(500, token).ConfigureAwait(false);

            var slowDeliveries = receiver.Deliveries.Count(d => d.RunId == latencyRun.Id && d.Path == "/hook/latency");
            var slowDelay = slow.Proxy!.MeanDelayMs;
            Check(suite, result, "the webhook through the latency toxic was delivered once", slowDeliveries == 1,
                $"{slowDeliveries} delivery(ies) of run {latencyRun.Id}; the proxy held data {slowDelay?.ToString("0") ?? "-"} ms on average");
            Check(suite, result, $"the proxy delayed it by the {LatencyMs} ms asked", slowDelay >= LatencyMs - NetworkFault.Tolerance,
                $"{slowDelay?.ToString("0.#") ?? "nothing"} ms", slowDelay);
            var resetDeliveries = receiver.Deliveries.Count(d => d.RunId == resetRun.Id && d.Path == "/hook/reset");
            var proxy = reset.Proxy!;
            Check(suite, result, "the reset webhook was retried on a new connection", proxy.ToxicConnections >= 1 && proxy.Connections >= 2,
                $"{proxy.Connections} connections, {proxy.ToxicConnections} reset");
            Check(suite, result, "the reset webhook was delivered once", resetDeliveries == 1, $"{resetDeliveries} delivery(ies) of run {resetRun.Id}");
            Check(suite, result, "the runs themselves succeeded", latencyEnded?.Status == RunStatus.Succeeded,
                $"run {latencyRun.Id} is {latencyEnded?.Status.ToString() ?? "unknown"}");
            Measure(suite, result, "webhook.proxy_delay_ms", slowDelay ?? 0, "ms");
            Measure(suite, result, "webhook.reset_connections", proxy.Connections, "connections");
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(slowRunning, resetRunning).ConfigureAwait(false);
        }
    }

    private static string Notifying(string name, NetworkFault proxy, string hook) =>
        $"name: {name}\nnotifications:\n  webhook: http://{proxy.Proxy!.Endpoint}/hook/{hook}\nsteps:\n  - name: hello\n    shell: sh\n    command: echo ok\n";

    /// <summary>The smallest seed whose first two draws are toxic, then clean, at this toxicity.</summary>
    private static int FirstToxicThenClean(double toxicity)
    {
        for (var seed = 1; ; seed++)
        {
            var random = new Random(seed);
            if (random.NextDouble() < toxicity && random.NextDouble() >= toxicity)
            {
                return seed;
            }
        }
    }
}
