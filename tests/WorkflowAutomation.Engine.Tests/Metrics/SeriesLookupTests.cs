using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>A query finds its series through an index on their names, so ten thousand other series cost nothing.</summary>
public sealed class SeriesLookupTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly MetricStore store;

    public SeriesLookupTests()
    {
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), new FakeTimeProvider(T0.AddMinutes(1)));
        foreach (var (name, host) in new[] { ("app.requests", "a"), ("app.requests", "b"), ("app.Requests.slow", "a"), ("apps.requests", "a"), ("zz.requests", "a") })
        {
            store.Writer.Series(name, MetricType.Gauge, new Dictionary<string, string> { ["host"] = host }).Record(1, T0);
        }
        store.Writer.Flush();
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    private List<string> Found(string name) =>
        store.Query(new MetricQuery { Name = name, Start = T0, End = T0.AddSeconds(1), Resolution = MetricResolution.Raw })
            .Select(sample => $"{sample.Name}{{{sample.Tags}}}").ToList();

    [Fact]
    public void A_name_finds_its_series_in_any_case_and_wildcards_still_match_anywhere()
    {
        Assert.Equal(["app.requests{host=a}", "app.requests{host=b}"], Found("APP.Requests"));
        Assert.Equal(["app.Requests.slow{host=a}"], Found("app.requests.SLOW"));
        Assert.Equal(["app.Requests.slow{host=a}", "app.requests{host=a}", "app.requests{host=b}"], Found("App.req*"));
        Assert.Equal(["app.requests{host=a}", "app.requests{host=b}", "apps.requests{host=a}", "zz.requests{host=a}"], Found("*requests"));
        Assert.Equal(["apps.requests{host=a}"], Found("app?.requests"));
        Assert.Equal(3, store.Reader.ListSeries("app.*").Count);
    }

    [Fact]
    public void A_name_with_a_literal_start_reads_only_the_series_whose_names_start_so()
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + MetricReader.SeriesByPrefix;
        command.Parameters.AddWithValue("$low", "app.requests");
        command.Parameters.AddWithValue("$high", "app.requests\u007f");
        using var reader = command.ExecuteReader();
        var plan = new List<string>();
        while (reader.Read())
        {
            plan.Add(reader.GetString(3));
        }

        Assert.Contains(plan, line => line.Contains("SEARCH series USING INDEX series_by_name_nocase", StringComparison.Ordinal));
        Assert.Equal("app.req", MetricReader.LiteralPrefix("app.req*s"));
        Assert.Equal("", MetricReader.LiteralPrefix("*"));
    }
}
