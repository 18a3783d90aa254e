using WorkflowAutomation.Metrics;

namespace WorkflowAutomation.Tests.Metrics;

public sealed class MetricExporterTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static WorkflowMetricSample Sample(string name, double value, string type = "Gauge", string tags = "", int second = 0) =>
        new() { Name = name, Value = value, Type = type, Tags = tags, Timestamp = T.AddSeconds(second) };

    [Fact]
    public void Prometheus_text_has_help_and_type_lines_underscores_and_total_for_counters()
    {
        var text = MetricExporter.Prometheus([
            Sample("app.requests", 1234, "Counter", "env=prod"),
            Sample("app.requests", 5, "Counter", "env=te\"st"),
            Sample("system.cpu.usage", 12.5),
            Sample("jobs_total", 3, "Counter"),
        ]);
        Assert.Equal(
            "# HELP app_requests_total app.requests (counter)\n" +
            "# TYPE app_requests_total counter\n" +
            "app_requests_total{env=\"prod\"} 1234\n" +
            "app_requests_total{env=\"te\\\"st\"} 5\n" +
            "# HELP jobs_total jobs_total (counter)\n" +
            "# TYPE jobs_total counter\n" +
            "jobs_total 3\n" +
            "# HELP system_cpu_usage system.cpu.usage (gauge)\n" +
            "# TYPE system_cpu_usage gauge\n" +
            "system_cpu_usage 12.5\n", text);
    }

    [Fact]
    public void Prometheus_lines_of_a_range_carry_timestamps()
    {
        var text = MetricExporter.Prometheus([Sample("a.b", 1, second: 0), Sample("a.b", 2, second: 1)]);
        Assert.Contains($"a_b 1 {T.ToUnixTimeMilliseconds()}\n", text);
        Assert.Contains($"a_b 2 {T.ToUnixTimeMilliseconds() + 1000}\n", text);
    }

    [Fact]
    public void Csv_quotes_tags_and_uses_invariant_numbers()
    {
        var csv = MetricExporter.Csv([Sample("a.b", 0.5, tags: "env=prod,host=x")]);
        Assert.Equal("Name,Timestamp,Value,Type,Tags,Resolution\na.b,2026-01-01T00:00:00.0000000+00:00,0.5,Gauge,\"env=prod,host=x\",Raw\n", csv);
    }

    [Fact]
    public void Json_is_the_inbox_form()
    {
        var json = MetricExporter.Json([Sample("app.requests", 1234, "Counter", "env=prod")]);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var entry = document.RootElement[0];
        Assert.Equal("app.requests", entry.GetProperty("name").GetString());
        Assert.Equal(1234, entry.GetProperty("value").GetDouble());
        Assert.Equal("counter", entry.GetProperty("type").GetString());
        Assert.Equal("prod", entry.GetProperty("tags").GetProperty("env").GetString());
        Assert.Equal(T, entry.GetProperty("timestamp").GetDateTimeOffset());
    }
}
