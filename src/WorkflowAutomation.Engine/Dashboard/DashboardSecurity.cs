using System.Net;
using System.Security.Cryptography;
using System.Text;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Dashboard;

/// <summary>What the gate decided about a request.</summary>
internal enum Admission
{
    /// <summary>Go on.</summary>
    Allowed,
    /// <summary>The answer was already sent (a refusal, or the redirect that drops ?token=).</summary>
    Answered,
}

/// <summary>
/// The dashboard's gate. Every request but GET /healthz needs the daemon's token: once in the
/// URL (answered with an HttpOnly SameSite=Strict cookie and a redirect that drops it, as
/// Jupyter does) or as Authorization: Bearer. Tokens are compared in constant time and wrong
/// ones are answered ever more slowly. The Host header must name the listening address (DNS
/// rebinding); a POST must come from this origin and, from a browser, carry the CSRF token.
/// </summary>
internal sealed class DashboardSecurity
{
    public const string CookieName = "wa_dashboard";
    public const string CsrfHeader = "X-CSRF-Token";

    private readonly string token;
    private readonly string sessionCookie;
    private readonly HashSet<string> allowedHosts;
    private readonly string origin;
    private readonly TimeProvider time;
    private readonly object failuresGate = new();
    private int recentFailures;
    private DateTimeOffset lastFailure;

    public DashboardSecurity(string token, string bind, int port, TimeProvider time)
    {
        this.token = token;
        this.time = time;
        // Derived, not the token itself: a cookie that leaks does not reveal the token scripts use.
        sessionCookie = Derive("dashboard-session");
        CsrfToken = Derive("dashboard-csrf");
        var host = bind.Contains(':', StringComparison.Ordinal) && !bind.StartsWith('[') ? $"[{bind}]" : bind;
        origin = $"http://{host}:{port}";
        allowedHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { $"{host}:{port}" };
        if (IPAddress.TryParse(bind, out var address) && IPAddress.IsLoopback(address))
        {
            allowedHosts.Add($"localhost:{port}");
        }
    }

    /// <summary>What the page sends back in <see cref="CsrfHeader"/> with every POST.</summary>
    public string CsrfToken { get; }

    public string Origin => origin;

    public async Task<Admission> AdmitAsync(HttpExchange exchange, bool isPage)
    {
        if (!allowedHosts.Contains(exchange.Request.Headers["Host"] ?? ""))
        {
            await exchange.ErrorAsync(421, "DashboardHostRefused", "The Host header does not name the dashboard's address.").ConfigureAwait(false);
            return Admission.Answered;
        }
        if (exchange.Method == "GET" && exchange.Path == "/healthz")
        {
            return Admission.Allowed;
        }
        var presented = exchange.Query("token");
        var bearer = BearerToken(exchange.Request);
        var cookie = exchange.Request.Cookies[CookieName]?.Value;
        var authorised = false;
        if (bearer is not null)
        {
            authorised = DaemonToken.Matches(token, bearer);
            exchange.ByBearer = authorised;
        }
        else if (presented is not null)
        {
            authorised = DaemonToken.Matches(token, presented);
        }
        else if (cookie is not null)
        {
            authorised = DaemonToken.Matches(sessionCookie, cookie);
        }
        if (!authorised)
        {
            var presentedSomething = bearer is not null || presented is not null || cookie is not null;
            if (presentedSomething)
            {
                await Task.Delay(PenaltyForFailure()).ConfigureAwait(false);
            }
            await RefuseAsync(exchange, isPage).ConfigureAwait(false);
            return Admission.Answered;
        }
        if (presented is not null && bearer is null)
        {
            // The token leaves the address bar (and the history) at once.
            exchange.Response.Headers.Add("Set-Cookie", $"{CookieName}={sessionCookie}; Path=/; HttpOnly; SameSite=Strict");
            exchange.Redirect(exchange.Path + WithoutToken(exchange.Request));
            return Admission.Answered;
        }
        if (exchange.Method != "GET" && exchange.Method != "HEAD")
        {
            var requestOrigin = exchange.Request.Headers["Origin"];
            var foreign = requestOrigin is not null && !string.Equals(requestOrigin, origin, StringComparison.OrdinalIgnoreCase)
                && !allowedHosts.Contains(StripScheme(requestOrigin));
            // A browser's POST always carries its Origin; only a script with the bearer token may omit it.
            var csrfMissing = !exchange.ByBearer && (requestOrigin is null || !DaemonToken.Matches(CsrfToken, exchange.Request.Headers[CsrfHeader]));
            if (foreign || csrfMissing)
            {
                await exchange.ErrorAsync(403, "DashboardOriginRefused",
                    foreign ? "Requests that change state must come from the dashboard's own origin." : "The request carries no valid CSRF token.").ConfigureAwait(false);
                return Admission.Answered;
            }
        }
        return Admission.Allowed;
    }

    private static string StripScheme(string origin) =>
        origin.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? origin[7..] : "\0";

    private static async Task RefuseAsync(HttpExchange exchange, bool isPage)
    {
        exchange.Response.Headers["WWW-Authenticate"] = "Bearer realm=\"WorkflowAutomation\"";
        if (isPage)
        {
            await exchange.TextAsync(
                "The dashboard needs its token. Open it with Open-WorkflowDashboard, which adds the token to the address.\n",
                "text/plain; charset=utf-8", 401).ConfigureAwait(false);
            return;
        }
        await exchange.ErrorAsync(401, "DashboardTokenRequired",
            "Give the token from the state directory's daemon/token file as Authorization: Bearer, or open the dashboard with Open-WorkflowDashboard.").ConfigureAwait(false);
    }

    /// <summary>Each wrong token within a minute of the last costs 200 ms more, up to 5 s.</summary>
    private TimeSpan PenaltyForFailure()
    {
        lock (failuresGate)
        {
            var now = time.GetUtcNow();
            recentFailures = now - lastFailure > TimeSpan.FromMinutes(1) ? 1 : recentFailures + 1;
            lastFailure = now;
            return TimeSpan.FromMilliseconds(Math.Min(5000, 200 * (recentFailures - 1)));
        }
    }

    private static string? BearerToken(HttpListenerRequest request)
    {
        var header = request.Headers["Authorization"];
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private static string WithoutToken(HttpListenerRequest request)
    {
        var kept = request.QueryString.AllKeys.Where(key => key is not null && key != "token")
            .Select(key => Uri.EscapeDataString(key!) + "=" + Uri.EscapeDataString(request.QueryString[key] ?? ""));
        var query = string.Join("&", kept);
        return query.Length == 0 ? "" : "?" + query;
    }

    private string Derive(string purpose) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(purpose))).ToLowerInvariant();
}
