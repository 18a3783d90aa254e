using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Dashboard.Queries;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Dashboard;

/// <summary>The /api routes: JSON for everything the pages show, and the actions they offer.</summary>
internal sealed class DashboardApi(DaemonHost host, DashboardOptions options, DashboardSecurity security, EventHub events)
{
    private readonly RunQueries runs = new(host.State);
    private MetricQueries Metrics => new(host.Metrics?.Reader ?? WorkflowAutomation.Metrics.MetricReader.ForState(host.State), options.Time);

    public void Map(DashboardRouter router)
    {
        router
            .Map("GET", "/api/session", exchange => exchange.JsonAsync(new { Csrf = security.CsrfToken, Daemon = host.State.Root }))
            .Map("GET", "/api/overview", exchange => exchange.JsonAsync(new OverviewQuery(host, runs).Read()))
            .Map("GET", "/api/runs", ListRuns)
            .Map("GET", "/api/workflows", exchange => exchange.JsonAsync(runs.Workflows().Select(w => new { w.Name, w.Runs })))
            .Map("GET", "/api/runs/{id}", RunDetail)
            .Map("GET", "/api/runs/{id}/log", RunLog)
            .Map("POST", "/api/runs/{id}/cancel", exchange => ActAsync(exchange, () => Task.FromResult<object?>(host.CancelRun(exchange.RouteValues["id"], "the dashboard"))))
            .Map("POST", "/api/runs/{id}/restart", exchange => ActAsync(exchange, async () => await host.RestartFromFailedStepAsync(exchange.RouteValues["id"]).ConfigureAwait(false)))
            .Map("POST", "/api/runs/{id}/steps/{step}/approve", exchange => AnswerAsync(exchange, approve: true))
            .Map("POST", "/api/runs/{id}/steps/{step}/deny", exchange => AnswerAsync(exchange, approve: false))
            .Map("GET", "/api/breakers", exchange => exchange.JsonAsync(host.Breakers.List()))
            .Map("POST", "/api/breakers/{name}/reset", exchange => ActAsync(exchange, () => Task.FromResult<object?>(host.ResetBreakers(exchange.RouteValues["name"]))))
            .Map("GET", "/api/schedules", exchange => exchange.JsonAsync(host.Schedules.List()))
            .Map("GET", "/api/system", exchange => exchange.JsonAsync(Metrics.System(Range(exchange))))
            .Map("GET", "/api/performance", exchange => exchange.JsonAsync(new PerformanceQuery(Metrics, runs, options.Time).Read(Range(exchange))))
            .Map("GET", "/api/metrics/series", exchange => exchange.JsonAsync(Metrics.List(exchange.Query("name"))))
            .Map("GET", "/api/metrics/query", exchange => exchange.JsonAsync(Metrics.Explore(exchange.Query("name") ?? "*", exchange.Query("tags"),
                exchange.Query("aggregate"), exchange.Query("resolution"), Range(exchange))))
            .Map("GET", "/api/chaos", exchange => exchange.JsonAsync(new
            {
                Results = options.ChaosResults.Recent(100),
                Message = options.ChaosResults.Recent(1).Count == 0 ? "no chaos results" : null,
            }))
            .Map("GET", "/api/events", events.StreamAsync);
    }

    private static string Range(HttpExchange exchange) => exchange.Query("range") ?? "1h";

    private Task ListRuns(HttpExchange exchange)
    {
        var statuses = exchange.Query("status")?.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(status => Enum.Parse<RunStatus>(status, ignoreCase: true)).ToList();
        var filter = new RunListFilter
        {
            Statuses = statuses,
            Workflow = exchange.Query("workflow"),
            Search = exchange.Query("search"),
            Since = Time(exchange.Query("since")),
            Until = Time(exchange.Query("until")),
            After = exchange.Query("after"),
            Limit = int.TryParse(exchange.Query("limit"), CultureInfo.InvariantCulture, out var limit) ? limit : 50,
        };
        return exchange.JsonAsync(runs.List(filter));
    }

    private static DateTimeOffset? Time(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private Task RunDetail(HttpExchange exchange) =>
        new RunDetailQuery(host.Runs, host).Read(exchange.RouteValues["id"]) is { } run
            ? exchange.JsonAsync(run)
            : exchange.ErrorAsync(404, "WorkflowRunNotFound", $"No run has the id '{exchange.RouteValues["id"]}'.");

    private Task RunLog(HttpExchange exchange)
    {
        var after = long.TryParse(exchange.Query("after"), CultureInfo.InvariantCulture, out var seq) ? seq : 0;
        var lines = runs.Log(exchange.RouteValues["id"], exchange.Query("step"), after);
        return exchange.JsonAsync(new { Lines = lines, Last = lines.Count > 0 ? lines[^1].Seq : after });
    }

    private Task AnswerAsync(HttpExchange exchange, bool approve) => ActAsync(exchange, async () => await host.AnswerAsync(new AnswerRequest
    {
        RunId = exchange.RouteValues["id"],
        Step = exchange.RouteValues["step"],
        Approve = approve,
        AnsweredBy = "dashboard",
        Reason = exchange.Query("reason"),
    }).ConfigureAwait(false));

    /// <summary>Runs an action; the engine's refusals become 4xx answers with their error id.</summary>
    private static async Task ActAsync(HttpExchange exchange, Func<Task<object?>> action)
    {
        object? result;
        try
        {
            result = await action().ConfigureAwait(false);
        }
        catch (WorkflowAutomationException refused)
        {
            var status = refused.Kind switch
            {
                ErrorKind.ObjectNotFound => 404,
                ErrorKind.InvalidArgument or ErrorKind.InvalidData => 400,
                ErrorKind.InvalidOperation or ErrorKind.ResourceUnavailable => 409,
                ErrorKind.PermissionDenied => 403,
                _ => 500,
            };
            await exchange.ErrorAsync(status, refused.ErrorId, refused.Message).ConfigureAwait(false);
            return;
        }
        await exchange.JsonAsync(result).ConfigureAwait(false);
    }
}
