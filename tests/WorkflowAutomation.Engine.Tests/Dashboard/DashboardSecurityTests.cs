using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Dashboard;

public sealed class DashboardSecurityTests
{
    [Fact]
    public async Task Healthz_answers_without_a_token_and_says_only_ok()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client();
        var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/api/overview")]
    [InlineData("/api/runs")]
    [InlineData("/metrics")]
    [InlineData("/assets/js/app.js")]
    public async Task Everything_else_without_the_token_is_401(string path)
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(path)).StatusCode);
        using var wrong = dashboard.Client(bearer: new string('0', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_bearer_token_opens_the_api_with_strict_security_headers()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(dashboard.Token);
        var response = await client.GetAsync("/api/overview");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Running", body.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_token_in_the_url_becomes_an_httponly_strict_cookie_and_leaves_the_address()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client();
        var response = await client.GetAsync($"/workflows?status=Failed&token={dashboard.Token}");
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/workflows?status=Failed", response.Headers.Location!.OriginalString);
        var cookie = response.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("HttpOnly", cookie);
        Assert.Contains("SameSite=Strict", cookie);
        Assert.DoesNotContain(dashboard.Token, cookie);
        var session = cookie.Split(';')[0];
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        request.Headers.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task A_host_header_naming_another_address_is_refused()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(dashboard.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
        request.Headers.Host = $"attacker.example:{dashboard.Port}";
        var response = await client.SendAsync(request);
        Assert.InRange((int)response.StatusCode, 400, 499);
    }

    [Fact]
    public async Task A_post_from_a_browser_needs_this_origin_and_the_csrf_token()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client();
        var login = await client.GetAsync($"/?token={dashboard.Token}");
        var session = login.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        async Task<HttpResponseMessage> Post(string? origin, string? csrf)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/breakers/none/reset");
            request.Headers.Add("Cookie", session);
            if (origin is not null) request.Headers.Add("Origin", origin);
            if (csrf is not null) request.Headers.Add("X-CSRF-Token", csrf);
            return await client.SendAsync(request);
        }
        using var sessionRequest = new HttpRequestMessage(HttpMethod.Get, "/api/session");
        sessionRequest.Headers.Add("Cookie", session);
        using var sessionBody = JsonDocument.Parse(await (await client.SendAsync(sessionRequest)).Content.ReadAsStringAsync());
        var csrf = sessionBody.RootElement.GetProperty("csrf").GetString();

        Assert.Equal(HttpStatusCode.Forbidden, (await Post("https://evil.example", csrf)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(dashboard.BaseUrl, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(null, csrf)).StatusCode);
        // Past the gate, the engine answers: there is no breaker by that name.
        var allowed = await Post(dashboard.BaseUrl, csrf);
        Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        Assert.Contains("CircuitBreakerNotFound", await allowed.Content.ReadAsStringAsync());
        // A GET cannot change state.
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await dashboard.Client(dashboard.Token).GetAsync("/api/breakers/none/reset")).StatusCode);
    }

    [Fact]
    public async Task A_script_with_the_bearer_token_may_post_but_not_from_a_foreign_origin()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(dashboard.Token);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/breakers/none/reset", null)).StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/breakers/none/reset");
        request.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Repeated_wrong_tokens_are_answered_ever_more_slowly()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        using var client = dashboard.Client(bearer: "wrong");
        var first = Stopwatch.StartNew();
        await client.GetAsync("/api/overview");
        first.Stop();
        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync("/api/overview");
        }
        var fifth = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/overview")).StatusCode);
        fifth.Stop();
        Assert.True(fifth.ElapsedMilliseconds >= 750, $"the fifth wrong token took {fifth.ElapsedMilliseconds} ms");
        Assert.True(first.ElapsedMilliseconds < 500, $"the first wrong token took {first.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task By_default_it_listens_on_loopback_only()
    {
        await using var dashboard = await DashboardFixture.StartAsync();
        if (OperatingSystem.IsLinux())
        {
            // Every listening socket on the port, IPv4 and IPv6, is bound to 127.0.0.1.
            var port = dashboard.Port.ToString("X4", CultureInfo.InvariantCulture);
            var listening = File.ReadLines("/proc/net/tcp").Concat(File.ReadLines("/proc/net/tcp6"))
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length > 3 && fields[1].EndsWith(":" + port, StringComparison.Ordinal) && fields[3] == "0A")
                .Select(fields => fields[1]).ToList();
            Assert.Equal(["0100007F:" + port], listening);
        }
        foreach (var address in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses).Select(unicast => unicast.Address)
            .Where(address => !IPAddress.IsLoopback(address) && address.AddressFamily == AddressFamily.InterNetwork))
        {
            using var socket = new TcpClient();
            await Assert.ThrowsAnyAsync<SocketException>(() => socket.ConnectAsync(address, dashboard.Port));
        }
    }

    [Fact]
    public async Task A_port_in_use_leaves_the_daemon_running_degraded_naming_the_port_and_its_holder()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var dashboard = await DashboardFixture.StartAsync(port);
        var status = dashboard.Host.GetStatus();
        Assert.Equal(DaemonState.Running, status.State);
        Assert.Equal(HealthStatus.Degraded, status.Health);
        Assert.Null(status.DashboardUrl);
        var check = Assert.Single(status.HealthChecks, check => check.Name == "Dashboard");
        Assert.Equal(HealthStatus.Degraded, check.Status);
        Assert.Contains($"127.0.0.1:{port}", check.Description);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains($"process {Environment.ProcessId}", check.Description);
        }
        Assert.Contains($"127.0.0.1:{port}", File.ReadAllText(dashboard.Host.Paths.LogFile));
    }
}
