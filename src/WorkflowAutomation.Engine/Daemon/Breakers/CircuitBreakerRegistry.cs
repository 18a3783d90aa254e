using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon.Storage;

namespace WorkflowAutomation.Daemon;

/// <summary>
/// Consecutive-failure circuit breakers, one per step command and one per workflow, persisted
/// in the daemon's database so that a restart does not close an open breaker. After
/// CIRCUIT_BREAKER_THRESHOLD failures in a row a breaker opens and calls fail fast; after the
/// break duration it half-opens and lets one trial through; a success closes it, a failure
/// opens it again. (Polly's breaker samples a failure ratio over a window and keeps its state
/// in memory; the consecutive count and the persistence asked for here are simpler to own.)
/// </summary>
public sealed class CircuitBreakerRegistry
{
    private readonly DaemonDatabase database;
    private readonly TimeProvider time;
    private readonly HashSet<string> trialsInFlight = new(StringComparer.Ordinal);
    private readonly object gate = new();

    public CircuitBreakerRegistry(DaemonDatabase database, int threshold, TimeSpan breakDuration, TimeProvider time)
    {
        this.database = database;
        Threshold = threshold;
        BreakDuration = breakDuration;
        this.time = time;
    }

    public int Threshold { get; }

    public TimeSpan BreakDuration { get; }

    /// <summary>A step's breaker: '&lt;workflow&gt;/&lt;step&gt;', short enough to type and to complete with Tab.</summary>
    public static string StepName(string workflow, string step) => workflow + "/" + step;

    public static string WorkflowName(string workflow) => "workflow:" + workflow;

    /// <summary>Asks whether a call may go through now; an open breaker whose break is over half-opens for one trial.</summary>
    public CircuitDecision TryAcquire(string name)
    {
        lock (gate)
        {
            var breaker = Find(name);
            if (breaker is null || breaker.State == CircuitState.Closed)
            {
                return CircuitDecision.Allow(CircuitState.Closed);
            }
            var now = time.GetUtcNow();
            if (breaker.State == CircuitState.Open && now >= breaker.HalfOpenAt)
            {
                Update(name, CircuitState.HalfOpen, breaker.Failures, breaker.OpenedAt, null, null);
                breaker = Find(name)!;
            }
            if (breaker.State == CircuitState.HalfOpen && trialsInFlight.Add(name))
            {
                return CircuitDecision.Allow(CircuitState.HalfOpen);
            }
            var reason = breaker.State == CircuitState.HalfOpen
                ? $"Circuit breaker '{name}' is half-open and its trial call is still running."
                : $"Circuit breaker '{name}' is open after {breaker.Failures} failures in a row (last: {breaker.LastError}); it half-opens at {breaker.HalfOpenAt:u}. Reset it with Reset-CircuitBreaker -Name '{name}'.";
            return new CircuitDecision(false, breaker.State, reason);
        }
    }

    /// <summary>A success closes the breaker and clears its count.</summary>
    public void RecordSuccess(string name)
    {
        lock (gate)
        {
            trialsInFlight.Remove(name);
            if (Find(name) is { } breaker && (breaker.State != CircuitState.Closed || breaker.Failures != 0))
            {
                Update(name, CircuitState.Closed, 0, null, breaker.LastFailureAt, breaker.LastError);
            }
        }
    }

    /// <summary>A call ended without a verdict (cancelled, interrupted): a half-open breaker may try again.</summary>
    public void Release(string name)
    {
        lock (gate)
        {
            trialsInFlight.Remove(name);
        }
    }

    /// <summary>A failure counts; at the threshold (or in a half-open trial) the breaker opens.</summary>
    public CircuitState RecordFailure(string name, CircuitBreakerKind kind, string? error, string? command = null)
    {
        lock (gate)
        {
            trialsInFlight.Remove(name);
            var now = time.GetUtcNow();
            var breaker = Find(name);
            if (breaker is null)
            {
                database.InTransaction((c, t) => c.Execute(
                    "INSERT INTO breakers(name, kind, state, failures, changed_at, command) VALUES ($name, $kind, 'Closed', 0, $now, $command)",
                    t, ("$name", name), ("$kind", kind.ToString()), ("$now", Sql.Milliseconds(now)), ("$command", command)));
                breaker = Find(name)!;
            }
            var failures = breaker.Failures + 1;
            var opens = breaker.State == CircuitState.HalfOpen || (breaker.State == CircuitState.Closed && failures >= Threshold);
            var state = opens ? CircuitState.Open : breaker.State;
            Update(name, state, failures, opens ? now : breaker.OpenedAt, now, error, command);
            return state;
        }
    }

    /// <summary>Closes breakers by name (wildcards allowed); returns those reset.</summary>
    public IReadOnlyList<CircuitBreakerInfo> Reset(string pattern)
    {
        lock (gate)
        {
            var matches = List().Where(breaker => Wildcard.IsMatch(breaker.Name, pattern)).ToList();
            foreach (var breaker in matches)
            {
                trialsInFlight.Remove(breaker.Name);
                Update(breaker.Name, CircuitState.Closed, 0, null, breaker.LastFailureAt, breaker.LastError);
            }
            return matches.Select(breaker => Find(breaker.Name)!).ToList();
        }
    }

    /// <summary>Every breaker that has seen a failure, with open ones that may half-open shown as such.</summary>
    public IReadOnlyList<CircuitBreakerInfo> List() => database.Use(c => Read(c, "ORDER BY name"));

    public CircuitBreakerInfo? Find(string name) => database.Use(c => Read(c, "WHERE name = $name", ("$name", name)).SingleOrDefault());

    private void Update(string name, CircuitState state, int failures, DateTimeOffset? openedAt, DateTimeOffset? lastFailureAt, string? lastError, string? command = null) =>
        database.InTransaction((c, t) => c.Execute(
            """
            UPDATE breakers SET state = $state, failures = $failures, opened_at = $opened,
                last_failure_at = coalesce($failed, last_failure_at), last_error = coalesce($error, last_error), changed_at = $now,
                command = coalesce($command, command)
            WHERE name = $name
            """,
            t, ("$name", name), ("$state", state.ToString()), ("$failures", failures),
            ("$opened", openedAt is { } opened ? Sql.Milliseconds(opened) : null),
            ("$failed", lastFailureAt is { } failed ? Sql.Milliseconds(failed) : null),
            ("$error", lastError), ("$command", command), ("$now", Sql.Milliseconds(time.GetUtcNow()))));

    private List<CircuitBreakerInfo> Read(SqliteConnection connection, string where, params (string, object?)[] parameters)
    {
        var command = connection.Prepared($"SELECT name, kind, state, failures, opened_at, last_failure_at, last_error, command FROM breakers {where}", null, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<CircuitBreakerInfo>();
        while (reader.Read())
        {
            var openedAt = Sql.Time(reader, 4);
            list.Add(new CircuitBreakerInfo
            {
                Name = reader.GetString(0),
                Kind = Enum.Parse<CircuitBreakerKind>(reader.GetString(1)),
                State = Enum.Parse<CircuitState>(reader.GetString(2)),
                Failures = reader.GetInt32(3),
                Threshold = Threshold,
                OpenedAt = openedAt,
                HalfOpenAt = openedAt + BreakDuration,
                LastFailureAt = Sql.Time(reader, 5),
                LastError = Sql.Text(reader, 6),
                Command = Sql.Text(reader, 7),
            });
        }
        return list;
    }
}

/// <summary>No breaker matches a name given to Reset-CircuitBreaker.</summary>
public sealed class CircuitBreakerNotFoundException(string name, IEnumerable<string> known)
    : WorkflowAutomationException(ErrorIds.CircuitBreakerNotFound, ErrorKind.ObjectNotFound,
        $"No circuit breaker is named '{name}'.{DidYouMean.Hint(name, known)} Get-CircuitBreaker lists them.");
