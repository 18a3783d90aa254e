using System.Net;
using System.Net.Sockets;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Dashboard;

namespace WorkflowAutomation.Tests.Dashboard;

/// <summary>A real daemon with its dashboard on an ephemeral loopback port, and clients for it.</summary>
internal sealed class DashboardFixture : IAsyncDisposable
{
    private DashboardFixture(TempFolder temp, DaemonHost host, int port)
    {
        Temp = temp;
        Host = host;
        Port = port;
        Token = DaemonToken.Read(host.Paths)!;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public TempFolder Temp { get; }
    public DaemonHost Host { get; }
    public int Port { get; }
    public string Token { get; }
    public string BaseUrl { get; }

    public static async Task<DashboardFixture> StartAsync(int? port = null)
    {
        var temp = new TempFolder();
        var chosen = port ?? FreePort();
        var host = new DaemonHost(temp.State, new DaemonHostOptions
        {
            Mode = DaemonMode.Job,
            GracePeriod = TimeSpan.FromSeconds(2),
            Components = [new DashboardComponent(new DashboardOptions { Port = chosen, WatchInterval = TimeSpan.FromMilliseconds(100) })],
        });
        await host.StartAsync();
        return new DashboardFixture(temp, host, chosen);
    }

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A client that neither follows redirects nor keeps cookies, so each test sees the raw answers.</summary>
    public HttpClient Client(string? bearer = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(20) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        Temp.Dispose();
    }
}
