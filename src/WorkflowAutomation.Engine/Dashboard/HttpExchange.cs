using System.Net;
using System.Text;

namespace WorkflowAutomation.Dashboard;

/// <summary>One request and its response, with the headers every answer carries.</summary>
internal sealed class HttpExchange(HttpListenerContext context)
{
    /// <summary>
    /// Scripts only from this origin, nothing inline, no framing: nothing a run writes can
    /// become code in the page, even if it slipped past the escaping.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public HttpListenerRequest Request => context.Request;

    public HttpListenerResponse Response => context.Response;

    public string Path => Request.Url?.AbsolutePath ?? "/";

    public string Method => Request.HttpMethod;

    /// <summary>Values captured from the route ({id}, {step} …), unescaped.</summary>
    public Dictionary<string, string> RouteValues { get; } = new(StringComparer.Ordinal);

    /// <summary>True when the caller proved itself with the bearer token (a script), not the browser cookie.</summary>
    public bool ByBearer { get; set; }

    public string? Query(string name) => Request.QueryString[name] is { Length: > 0 } value ? value : null;

    public void SecurityHeaders()
    {
        var headers = Response.Headers;
        headers["Content-Security-Policy"] = ContentSecurityPolicy;
        headers["X-Content-Type-Options"] = "nosniff";
        headers["X-Frame-Options"] = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }

    public async Task JsonAsync(object? value, int status = 200)
    {
        Response.Headers["Cache-Control"] = "no-store";
        await BytesAsync(DashboardJson.Serialize(value), "application/json; charset=utf-8", status).ConfigureAwait(false);
    }

    public Task ErrorAsync(int status, string errorId, string message) =>
        JsonAsync(new { error = errorId, message }, status);

    public Task TextAsync(string text, string contentType, int status = 200) =>
        BytesAsync(Encoding.UTF8.GetBytes(text), contentType, status);

    public async Task BytesAsync(byte[] body, string contentType, int status = 200)
    {
        Response.StatusCode = status;
        Response.ContentType = contentType;
        Response.ContentLength64 = body.Length;
        await Response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        Response.Close();
    }

    public void Redirect(string location, int status = 303)
    {
        Response.StatusCode = status;
        Response.Headers["Location"] = location;
        Response.Headers["Cache-Control"] = "no-store";
        Response.ContentLength64 = 0;
        Response.Close();
    }
}
