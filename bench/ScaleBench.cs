// Compiled by bench/scale.ps1 with Add-Type. Seeds runs.db in bulk, inside SQLite (INSERT ...
// SELECT, no row crosses into .NET), into the schema the engine's run store created, with the
// rows a recorded run really has: a ~2 KB definition, three steps, their attempts (3 % retried)
// and log lines; 6 % of the runs failed (the steps after the failed one skipped), 1 % cancelled.
using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.IO;
using System.Threading;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Platform;
using WorkflowAutomation.Workflows;

public static class RunSeeder
{
    private static readonly string[] Workflows =
    {
        "nightly-build", "deploy-web", "backup-db", "rotate-logs", "sync-mirrors", "renew-certs",
        "etl-orders", "etl-customers", "smoke-test", "reindex-search", "cleanup-tmp", "report-weekly",
    };

    private const string Runs = @"
        WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < $count - 1),
        numbered AS (SELECT i, $newest - ($count - 1 - i) * $spacing AS created, abs(random()) % 100 AS roll, abs(random()) % 12 AS w FROM seq)
        INSERT INTO runs(id, name, status, created, start_time, end_time, source_path, parameters, error, origin, restart_of, definition, owner_pid, owner_start, owner_host)
        SELECT printf('%s-%06x', strftime('%Y%m%d-%H%M%S', created / 1000, 'unixepoch'), abs(random()) % 16777216), seed_workflows.name,
               CASE WHEN roll < 6 THEN 'Failed' WHEN roll = 99 THEN 'Cancelled' ELSE 'Succeeded' END,
               created, created + 20 + roll, created + 20 + roll + 3300 + roll * 37, '/srv/workflows/' || seed_workflows.name || '.yaml', '{}',
               CASE WHEN roll < 6 THEN 'Step failed: exited with code 1' END, CASE WHEN roll % 5 = 0 THEN 'session' ELSE 'daemon' END, NULL,
               seed_workflows.definition, 1000 + roll * 97, 639316952697636901 + i, 'vm'
        FROM numbered JOIN seed_workflows ON seed_workflows.k = numbered.w;";

    private const string Steps = @"
        INSERT INTO steps(run_id, name, status, attempts, exit_code, start_time, end_time, outputs, error, continued, reused)
        SELECT id, name, status, CASE WHEN status = 'Skipped' THEN 0 WHEN (rowid * 7 + k) % 33 = 0 THEN 2 ELSE 1 END,
               CASE status WHEN 'Skipped' THEN NULL WHEN 'Failed' THEN 1 ELSE 0 END,
               CASE WHEN status <> 'Skipped' THEN start_time + k * 1100 END, CASE WHEN status <> 'Skipped' THEN start_time + k * 1100 + 1000 END,
               '{}', CASE WHEN status = 'Failed' THEN 'Exited with code 1.' END, 0, 0
        FROM (SELECT r.rowid AS rowid, r.id AS id, s.name AS name, s.k AS k, r.start_time AS start_time,
                     CASE WHEN r.status = 'Failed' AND s.k > 1 + r.rowid % 2 THEN 'Skipped' WHEN r.status = 'Failed' AND s.k = 1 + r.rowid % 2 THEN 'Failed'
                          WHEN r.status = 'Cancelled' AND s.k = 2 THEN 'Cancelled' ELSE 'Succeeded' END AS status
              FROM runs r CROSS JOIN (SELECT 'build' AS name, 0 AS k UNION ALL SELECT 'test', 1 UNION ALL SELECT 'deploy', 2) s);
        INSERT INTO attempts(run_id, step, number, status, exit_code, start_time, end_time, error)
        SELECT run_id, name, 1, CASE WHEN attempts = 2 THEN 'Failed' ELSE status END, CASE WHEN attempts = 2 THEN 1 ELSE exit_code END,
               start_time, CASE WHEN attempts = 2 THEN start_time + 400 ELSE end_time END, CASE WHEN attempts = 2 THEN 'Exited with code 1.' ELSE error END
        FROM steps WHERE attempts > 0;
        INSERT INTO attempts(run_id, step, number, status, exit_code, start_time, end_time, error)
        SELECT run_id, name, 2, status, exit_code, start_time + 500, end_time, error FROM steps WHERE attempts = 2;
        INSERT INTO logs(run_id, step, ts, is_error, text)
        SELECT run_id, step, end_time - 5, 0, step || CASE status WHEN 'Failed' THEN ': error: connection refused' ELSE ': ok, ' || (abs(random()) % 1000) || ' items' END
        FROM attempts;
        INSERT INTO logs(run_id, step, ts, is_error, text)
        SELECT run_id, step, end_time - 1, 1, 'Process exited with code 1' FROM attempts WHERE status = 'Failed';";

    /// <summary>
    /// Fills an empty runs.db with <paramref name="count"/> finished runs, one every
    /// <paramref name="spacingMs"/>, the newest created at <paramref name="newestMs"/>.
    /// <paramref name="definition"/> is the JSON the store keeps for a real three-step workflow;
    /// its name is swapped for each of twelve workflows. Returns the seconds it took.
    /// </summary>
    public static double Seed(DbConnection connection, int count, long newestMs, long spacingMs, string definition, string definitionName)
    {
        var watch = Stopwatch.StartNew();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TEMP TABLE seed_workflows(k INTEGER PRIMARY KEY, name TEXT NOT NULL, definition TEXT NOT NULL)");
        for (var k = 0; k < Workflows.Length; k++)
        {
            Execute(connection, transaction, "INSERT INTO seed_workflows VALUES($k, $name, $definition)",
                ("$k", k), ("$name", Workflows[k]), ("$definition", definition.Replace(definitionName, Workflows[k])));
        }
        Execute(connection, transaction, Runs, ("$count", count), ("$newest", newestMs), ("$spacing", spacingMs));
        Execute(connection, transaction, Steps);
        Execute(connection, transaction, "DROP TABLE seed_workflows");
        transaction.Commit();
        return watch.Elapsed.TotalSeconds;
    }

    private static void Execute(DbConnection connection, DbTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        command.ExecuteNonQuery();
    }
}

/// <summary>Keeps the daemon busy: submits runs over several connections, as many clients would, and waits for them.</summary>
public static class DaemonLoad
{
    /// <summary>Submits <paramref name="count"/> runs of a workflow over <paramref name="clients"/> connections; returns once all are accepted.</summary>
    public static void Submit(StateDirectory state, string path, int count, int clients)
    {
        var yaml = File.ReadAllText(path);
        var next = -1;
        Exception? failure = null;
        var threads = new List<Thread>();
        for (var c = 0; c < clients; c++)
        {
            var thread = new Thread(() =>
            {
                try
                {
                    using var client = DaemonClient.Connect(state);
                    while (Interlocked.Increment(ref next) < count)
                    {
                        client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = path, Yaml = yaml });
                    }
                }
                catch (Exception exception)
                {
                    failure = exception;
                }
            });
            thread.Start();
            threads.Add(thread);
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        if (failure is not null)
        {
            throw new InvalidOperationException("Submitting failed: " + failure.Message, failure);
        }
    }

    /// <summary>Blocks until the daemon's queue is empty and no run is running.</summary>
    public static void WaitIdle(StateDirectory state, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        using var client = DaemonClient.Connect(state);
        while (true)
        {
            var status = client.Send<DaemonStatus>(DaemonOperations.Status)!;
            if (status.QueueDepth == 0 && status.RunningRuns.Count == 0)
            {
                return;
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The daemon still has {status.QueueDepth} queued and {status.RunningRuns.Count} running runs after {timeout}.");
            }
            Thread.Sleep(100);
        }
    }
}

/// <summary>
/// Fills a metric store through its writer, as the daemon's collectors do: names x hosts
/// series (hostsPerName of each name), each with a sample every interval over the days before
/// the store's clock; then the writer compacts the head and enforces retention (raw samples
/// older than 7 days go, the rollups stay 30 days): the store's steady state.
/// </summary>
public static class MetricSeeder
{
    public static double Seed(MetricStore store, int series, int hostsPerName, DateTimeOffset end, int days, TimeSpan interval)
    {
        var watch = Stopwatch.StartNew();
        var samples = (int)(TimeSpan.FromDays(days).Ticks / interval.Ticks);
        var start = end - TimeSpan.FromDays(days);
        for (var s = 0; s < series; s++)
        {
            var tags = new Dictionary<string, string> { ["host"] = "h" + (s % hostsPerName).ToString("00") };
            var handle = store.Writer.Series("svc" + (s / hostsPerName).ToString("0000") + ".requests", MetricType.Gauge, tags);
            for (var i = 1; i <= samples; i++)
            {
                handle.Record(50 + (40 * Math.Sin((i + (s * 37)) / 97.0)) + ((i % 7) * 0.013), start + (interval * i));
            }
        }
        store.Writer.Flush();
        store.Writer.CompactAsync().GetAwaiter().GetResult();
        store.Writer.EnforceRetentionAsync().GetAwaiter().GetResult();
        return watch.Elapsed.TotalSeconds;
    }
}

/// <summary>The store's clock, fixed by the benchmark.</summary>
public sealed class FixedClock : TimeProvider
{
    public FixedClock(DateTimeOffset now) => Now = now;

    public DateTimeOffset Now { get; }

    public override DateTimeOffset GetUtcNow() => Now;
}
