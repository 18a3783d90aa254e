using System.Net.Http.Json;
using System.Net.Mail;
using System.Text;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Execution;

/// <summary>Where email notifications are sent from (SMTP_* keys of the configuration).</summary>
public sealed record SmtpSettings(string Server, int Port, string From, bool UseSsl)
{
    public static SmtpSettings FromConfiguration(WorkflowConfiguration configuration) =>
        new(configuration.SmtpServer, configuration.SmtpPort, configuration.SmtpFrom, configuration.SmtpUseSsl);
}

/// <summary>
/// Posts a JSON summary to the webhook (retried: a chat service's hiccup must not lose the
/// news) and mails a summary over SMTP.
/// </summary>
public sealed class RunNotifier(SmtpSettings smtp, TimeProvider? time = null, RetryOptions? webhookRetry = null) : IRunNotifier
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly RetryOptions retry = webhookRetry ?? new RetryOptions { RetryCount = 3, Delay = TimeSpan.FromSeconds(1), Backoff = RetryBackoff.Exponential, Jitter = true };

    public async Task<IReadOnlyList<string>> NotifyAsync(WorkflowRun run, WorkflowNotifications notifications, CancellationToken cancellationToken)
    {
        var results = new List<string>();
        if (notifications.Webhook is { Length: > 0 } url)
        {
            results.Add(await PostAsync(url, run, cancellationToken).ConfigureAwait(false));
        }
        if (notifications.Email is { Length: > 0 } address)
        {
            results.Add(await MailAsync(address, run, cancellationToken).ConfigureAwait(false));
        }
        return results;
    }

    /// <summary>The JSON body of the webhook.</summary>
    public static object Summary(WorkflowRun run) => new
    {
        workflow = run.Name,
        runId = run.Id,
        status = run.Status.ToString(),
        startTime = run.StartTime,
        endTime = run.EndTime,
        durationSeconds = run.Duration?.TotalSeconds,
        error = run.Error,
        steps = run.Steps.Select(step => new
        {
            name = step.Name,
            status = step.Status.ToString(),
            attempts = step.Attempts,
            exitCode = step.ExitCode,
            durationSeconds = step.Duration?.TotalSeconds,
        }),
        rollbacks = run.Rollbacks.Select(rollback => new { step = rollback.Step, status = rollback.Status.ToString() }),
    };

    private async Task<string> PostAsync(string url, WorkflowRun run, CancellationToken cancellationToken)
    {
        var attempts = 0;
        var outcome = await Retry.ExecuteAsync(retry, async (number, token) =>
        {
            attempts = number;
            try
            {
                using var response = await Http.PostAsJsonAsync(url, Summary(run), token).ConfigureAwait(false);
                return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            // A connection reset as it opens can escape HttpClient as a bare SocketException
            // (ENOTCONN from reading its remote end point): that is a failed attempt too.
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or InvalidOperationException
                or IOException or System.Net.Sockets.SocketException)
            {
                return exception.Message;
            }
        }, error => error is not null, null, time, cancellationToken).ConfigureAwait(false);
        // A webhook URL carries its credential in the path or query (Slack, Teams): only scheme and host are logged.
        var shown = SchemeAndHost(url);
        return outcome is null
            ? $"Webhook notification sent to {shown}."
            : $"Webhook notification to {shown} failed after {attempts} attempt(s): {outcome.Replace(url, shown, StringComparison.Ordinal)}";
    }

    /// <summary>The part of a URL that is safe to log: <c>https://hooks.slack.com</c>.</summary>
    public static string SchemeAndHost(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? $"{uri.Scheme}://{uri.Host}" : "(the configured webhook)";

    private async Task<string> MailAsync(string address, WorkflowRun run, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new SmtpClient(smtp.Server, smtp.Port) { EnableSsl = smtp.UseSsl, DeliveryMethod = SmtpDeliveryMethod.Network };
            using var message = new MailMessage(smtp.From, address)
            {
                Subject = $"Workflow {run.Name} {run.Status}",
                Body = Body(run),
                BodyEncoding = Encoding.UTF8,
                // Readable in any mail tool's source view, unlike base64.
                BodyTransferEncoding = System.Net.Mime.TransferEncoding.QuotedPrintable,
            };
            await client.SendMailAsync(message, cancellationToken).ConfigureAwait(false);
            return $"Email notification sent to {address} through {smtp.Server}:{smtp.Port}.";
        }
        catch (Exception exception) when (exception is SmtpException or InvalidOperationException or FormatException or IOException)
        {
            return $"Email notification to {address} failed ({smtp.Server}:{smtp.Port}): {exception.Message} Check SMTP_SERVER, SMTP_PORT and SMTP_FROM with Get-WorkflowConfiguration.";
        }
    }

    private static string Body(WorkflowRun run)
    {
        var text = new StringBuilder();
        text.AppendLine($"Workflow: {run.Name}");
        text.AppendLine($"Run: {run.Id}");
        text.AppendLine($"Status: {run.Status}");
        text.AppendLine($"Started: {run.StartTime:u}  Ended: {run.EndTime:u}");
        if (run.Error is not null)
        {
            text.AppendLine($"Error: {run.Error}");
        }
        text.AppendLine();
        foreach (var step in run.Steps)
        {
            text.AppendLine($"  {step.Name,-24} {step.Status,-10} attempts={step.Attempts} exit={step.ExitCode}");
        }
        return text.ToString();
    }
}
