using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Tests.Metrics;

/// <summary>Custom-metrics files: good ones ingested once and removed, bad ones kept aside with a reason, nothing half-ingested.</summary>
public sealed class MetricsInboxTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempFolder folder = new();
    private readonly FakeTimeProvider time = new(Now);
    private readonly MetricStore store;
    private readonly MetricsInbox inbox;

    public MetricsInboxTests()
    {
        store = MetricStore.Open(folder.State, new MetricStoreOptions(), time);
        inbox = new MetricsInbox(folder.State, store.Writer);
        OwnerOnly.CreateDirectory(folder.State.MetricsInbox);
    }

    public void Dispose()
    {
        store.Dispose();
        folder.Dispose();
    }

    private string Drop(string name, string json)
    {
        var path = Path.Combine(folder.State.MetricsInbox, name);
        File.WriteAllText(path, json);
        return path;
    }

    private IReadOnlyList<WorkflowMetricSample> All() =>
        store.Query(new MetricQuery { Start = Now.AddHours(-2), End = Now.AddHours(1), Resolution = MetricResolution.Raw });

    [Fact]
    public void The_seed_form_is_ingested_once_and_the_file_removed()
    {
        var path = Drop("app.json", """[{"name": "app.requests", "value": 1234, "type": "counter"}, {"name": "app.latency", "value": 45.2, "type": "gauge"}]""");
        var result = inbox.IngestPending();

        Assert.Equal(1, result.FilesIngested);
        Assert.Equal(2, result.SamplesIngested);
        Assert.False(File.Exists(path));
        var samples = All();
        Assert.Equal([("app.latency", 45.2, "Gauge"), ("app.requests", 1234.0, "Counter")], samples.Select(s => (s.Name, s.Value, s.Type)));
        Assert.All(samples, s => Assert.Equal(Now, s.Timestamp));
        Assert.Equal(0, inbox.IngestPending().FilesIngested);
        Assert.Equal(2, All().Count);
    }

    [Fact]
    public void Tags_and_timestamps_are_read()
    {
        Drop("tagged.json", """[{"name": "queue.depth", "value": 3, "tags": {"queue": "build", "shard": 2}, "timestamp": 1772366400.5}, {"name": "queue.depth", "value": 4, "tags": {"queue": "build", "shard": 2}, "timestamp": "2026-03-01T12:00:01Z"}]""");
        inbox.IngestPending();
        var samples = All();
        Assert.Equal([3.0, 4], samples.Select(s => s.Value));
        Assert.Equal("queue=build,shard=2", samples[0].Tags);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1772366400500), samples[0].Timestamp);
        Assert.Equal(Now.AddSeconds(1), samples[1].Timestamp);
    }

    [Theory]
    [InlineData("""[{"name": "a.b", "value": 1}, {"name": "a.c", "value": 2""", "not valid JSON (line 1")]
    [InlineData("""[{"name": "a.b", "value": 1}, {"name": "a.c", "vaule": 2}]""", "entry 2 ('a.c'): unknown key 'vaule'. Did you mean 'value'?")]
    [InlineData("""[{"name": "a.b", "value": 1}, {"name": "a.c", "value": "2"}]""", "entry 2 ('a.c'): 'value' has the wrong kind of value: it must be a number.")]
    [InlineData("""[{"name": "a.b", "value": 1}, {"name": "9.c", "value": 2}]""", "'9.c' is not a valid metric name")]
    [InlineData("""[{"name": "a.b", "value": 1}, {"name": "a.c", "value": -2, "type": "counter"}]""", "Counter 'a.c' got -2")]
    [InlineData("""{"metrics": []}""", "entry 1: unknown key 'metrics'")]
    [InlineData("""42""", "must hold an array of metric objects")]
    public void A_bad_file_is_moved_aside_with_its_reason_and_nothing_of_it_is_ingested(string json, string reason)
    {
        var good = Drop("b-good.json", """[{"name": "good.one", "value": 7}]""");
        var bad = Drop("a-bad.json", json);
        var result = inbox.IngestPending();

        var rejected = Assert.Single(result.Rejected);
        Assert.Contains(reason, rejected.Reason);
        Assert.StartsWith("a-bad.json: ", rejected.Reason);
        Assert.False(File.Exists(bad));
        var kept = Path.Combine(inbox.RejectedFolder, "a-bad.json");
        Assert.Equal(json, File.ReadAllText(kept));
        Assert.Contains(reason, File.ReadAllText(kept + ".reason"));
        Assert.Equal(kept, rejected.MovedTo);
        // The bad file contributed nothing, not even its valid first entry; the good file went in.
        Assert.Equal(["good.one"], All().Select(s => s.Name));
        Assert.False(File.Exists(good));
    }

    [Fact]
    public void A_second_bad_file_of_the_same_name_does_not_overwrite_the_first()
    {
        Drop("x.json", "nope");
        inbox.IngestPending();
        Drop("x.json", "still nope");
        inbox.IngestPending();
        Assert.Equal(2, Directory.GetFiles(inbox.RejectedFolder, "x*.json").Length);
        Assert.Equal(2, Directory.GetFiles(inbox.RejectedFolder, "x*.json.reason").Length);
    }

    [Fact]
    public void A_file_seen_again_after_its_commit_is_not_counted_twice()
    {
        // As if the process died after the commit and before the delete: the same bytes reappear.
        const string Json = """[{"name": "deploys", "value": 1, "type": "counter"}]""";
        Drop("deploy.json", Json);
        inbox.IngestPending();
        time.Advance(TimeSpan.FromSeconds(5));
        var again = Drop("deploy.json", Json);
        var result = inbox.IngestPending();

        Assert.False(File.Exists(again));
        Assert.Single(All());
        Assert.Empty(result.Rejected);
    }

    [Fact]
    public void Files_that_are_not_json_are_left_alone()
    {
        var partial = Drop("incoming.json.tmp", "[");
        Assert.Equal(0, inbox.IngestPending().FilesIngested);
        Assert.True(File.Exists(partial));
    }

    [Fact]
    public async Task A_fifo_named_json_is_moved_aside_without_blocking_the_pass()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var fifo = Path.Combine(folder.State.MetricsInbox, "pipe.json");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        Drop("good.json", """[{"name": "app.requests", "value": 1}]""");
        var pass = Task.Run(() => inbox.IngestPending());
        var finished = await Task.WhenAny(pass, Task.Delay(TimeSpan.FromSeconds(10)));
        if (finished != pass)
        {
            // Let the blocked reader go before failing, so the test process is not left hanging.
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write))
            {
            }
            Assert.Fail("The inbox pass blocked on a FIFO.");
        }
        var result = await pass;
        Assert.Equal(1, result.FilesIngested);
        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("not a regular file", rejected.Reason);
        Assert.False(File.Exists(fifo));
        Assert.True(File.Exists(Path.Combine(inbox.RejectedFolder, "pipe.json.reason")));
    }

    [Fact]
    public void A_file_over_the_size_limit_is_rejected_once_with_the_limit_in_its_reason()
    {
        var capped = new MetricsInbox(folder.State, store.Writer) { MaxFileBytes = 1024 };
        var big = Drop("big.json", "[" + string.Join(",", Enumerable.Repeat("""{"name": "app.requests", "value": 1}""", 100)) + "]");
        var result = capped.IngestPending();
        var rejected = Assert.Single(result.Rejected);
        Assert.Contains("1024 bytes", rejected.Reason);
        Assert.Contains("Split", rejected.Reason);
        Assert.False(File.Exists(big));
        Assert.Contains("1024 bytes", File.ReadAllText(Path.Combine(capped.RejectedFolder, "big.json.reason")));
        Assert.Empty(capped.IngestPending().Rejected);
        Assert.Empty(All());
        Assert.Equal(8 * 1024 * 1024, new MetricsInbox(folder.State, store.Writer).MaxFileBytes);
    }

    [Fact]
    public void Rejected_files_and_links_are_owner_only_whatever_their_producer_made_them()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var bad = Drop("open.json", "{not json");
        File.SetUnixFileMode(bad, (UnixFileMode)Convert.ToInt32("644", 8));
        File.CreateSymbolicLink(Path.Combine(folder.State.MetricsInbox, "link.json"), "/etc/hostname");
        var result = inbox.IngestPending();
        Assert.Equal(2, result.Rejected.Count);
        Assert.Contains(result.Rejected, file => file.File == "link.json" && file.Reason.Contains("symbolic link"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(inbox.RejectedFolder, "open.json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(inbox.RejectedFolder, "open.json.reason")));
    }
}
