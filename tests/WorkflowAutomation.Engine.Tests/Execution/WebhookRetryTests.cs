using System.Net;
using System.Net.Sockets;
using WorkflowAutomation.Chaos;
using WorkflowAutomation.Execution;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Execution;

/// <summary>Run-end webhooks against an endpoint whose every connection is reset as it opens.</summary>
public sealed class WebhookRetryTests
{
    [Fact]
    public async Task A_webhook_reset_as_it_connects_is_retried_and_its_failure_reported_never_thrown()
    {
        // Nothing listens upstream: every connection the proxy accepts is reset at once.
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var proxy = new TcpFaultProxy(0, "127.0.0.1", deadPort, new ToxicSettings { ResetPeerMs = 0 });
        proxy.Start();
        var notifier = new RunNotifier(new SmtpSettings("localhost", 25, "a@localhost", false),
            webhookRetry: new RetryOptions { RetryCount = 2, Delay = TimeSpan.FromMilliseconds(1) });
        var run = new WorkflowRun { Id = "20261201-000000-000000", Name = "notified", Status = RunStatus.Succeeded };

        // The reset races HttpClient's own connect; enough notifications that each way it can end is met.
        const int Notifications = 40;
        for (var i = 0; i < Notifications; i++)
        {
            var lines = await notifier.NotifyAsync(run, new WorkflowNotifications { Webhook = $"http://{proxy.Endpoint}/hook" }, CancellationToken.None);
            Assert.Contains("failed after 3 attempt(s)", Assert.Single(lines));
        }
        Assert.Equal(Notifications * 3, proxy.Connections);
    }
}
