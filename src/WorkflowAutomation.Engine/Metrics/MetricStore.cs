using Microsoft.Data.Sqlite;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// The metric time-series store in the state directory's metrics.db: one <see cref="Writer"/>
/// for every producer of the process, and a <see cref="Reader"/> for queries. Open one per
/// process (the daemon) or per command (a cmdlet), and dispose it to commit what is queued.
/// </summary>
public sealed class MetricStore : IDisposable
{
    private MetricStore(string databasePath, MetricStoreOptions options, TimeProvider time)
    {
        DatabasePath = databasePath;
        Options = options;
        Time = time;
        MetricSchema.Create(databasePath);
        Writer = new MetricsWriter(databasePath, options, time, LoadSeries(databasePath));
        Reader = new MetricReader(databasePath, options, time);
    }

    public string DatabasePath { get; }

    public MetricStoreOptions Options { get; }

    public TimeProvider Time { get; }

    /// <summary>The one writer: record samples here from any thread.</summary>
    public MetricsWriter Writer { get; }

    public MetricReader Reader { get; }

    /// <summary>Opens (creating if needed) the metrics.db of a state directory.</summary>
    public static MetricStore Open(StateDirectory state, MetricStoreOptions? options = null, TimeProvider? time = null)
    {
        state.EnsureCreated();
        return Open(state.MetricsDatabase, options, time);
    }

    /// <summary>Opens the state directory's store with the retention of its configuration.</summary>
    public static MetricStore Open(StateDirectory state, WorkflowConfiguration configuration, TimeProvider? time = null) =>
        Open(state, MetricStoreOptions.FromConfiguration(configuration), time);

    /// <summary>Opens (creating if needed) a metrics database at a path.</summary>
    public static MetricStore Open(string databasePath, MetricStoreOptions? options = null, TimeProvider? time = null) =>
        new(Path.GetFullPath(databasePath), options ?? new MetricStoreOptions(), time ?? TimeProvider.System);

    /// <summary>Shorthand for <see cref="MetricReader.Query"/>.</summary>
    public IReadOnlyList<WorkflowMetricSample> Query(MetricQuery query) => Reader.Query(query);

    /// <summary>Commits everything queued, stops the writer and releases the file.</summary>
    public void Dispose()
    {
        Writer.Dispose();
        using var connection = new SqliteConnection(MetricSchema.ConnectionString(DatabasePath));
        SqliteConnection.ClearPool(connection);
    }

    private static List<(string, string, MetricType)> LoadSeries(string path)
    {
        using var connection = MetricSchema.Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, tags, type FROM series";
        using var reader = command.ExecuteReader();
        var list = new List<(string, string, MetricType)>();
        while (reader.Read())
        {
            list.Add((reader.GetString(0), reader.GetString(1), (MetricType)reader.GetInt32(2)));
        }
        return list;
    }
}
