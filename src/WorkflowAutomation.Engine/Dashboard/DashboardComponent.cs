using System.Net;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Dashboard;

/// <summary>
/// The dashboard as a part of the daemon: started with it, stopped with it, and in its health.
/// A port it cannot have leaves the daemon running and its health Degraded, naming the port.
/// </summary>
public sealed class DashboardComponent(DashboardOptions options) : IDaemonComponent
{
    private DashboardServer? server;
    private string? failure;

    public string Name => "Dashboard";

    public string? Address => server?.Url;

    public DashboardOptions Options => options;

    public Task StartAsync(DaemonHost host, CancellationToken cancellation)
    {
        var token = DaemonToken.EnsureCreated(host.Paths);
        if (!IPAddress.TryParse(options.Bind, out var address) || !IPAddress.IsLoopback(address))
        {
            host.Log.Warn($"The dashboard listens on {options.Bind}, not loopback: anyone who can reach that address can try the token");
        }
        var starting = new DashboardServer(host, options, token);
        try
        {
            starting.Start();
        }
        catch (WorkflowAutomationException exception)
        {
            failure = exception.Message;
            starting.Dispose();
            throw;
        }
        server = starting;
        host.Log.Info($"Dashboard listening on {server.Url}");
        return Task.CompletedTask;
    }

    public Task StopAsync()
    {
        server?.Dispose();
        server = null;
        return Task.CompletedTask;
    }

    public HealthCheckResult CheckHealth() => failure is { } reason
        ? HealthCheckResult.Degraded(Name, reason)
        : server is { } running
            ? HealthCheckResult.Healthy(Name, "listening on " + running.Url)
            : HealthCheckResult.Degraded(Name, "not listening");
}
