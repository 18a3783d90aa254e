using WorkflowAutomation.Chaos;

namespace WorkflowAutomation.Tests.Chaos;

/// <summary>Experiment files are validated like workflows: every error at once, with line and column.</summary>
public sealed class ExperimentReaderTests
{
    [Fact]
    public void A_valid_experiment_reads_its_hypothesis_method_rollbacks_and_safeguards()
    {
        var (experiment, diagnostics) = ExperimentReader.Parse("""
            title: Database survives latency
            steady_state_hypothesis:
              title: The API answers
              probes:
                - name: health
                  http: { url: 'http://127.0.0.1:8080/healthz', status: 200, max_latency: 500ms }
                - name: marker
                  command: { run: 'test -f marker', exit_code: 0 }
            method:
              - fault: { type: network, target: '127.0.0.1:5432', latency_ms: 100, duration: 5s }
                background: true
              - pause: 1s
              - action: { name: load, run: 'echo hi' }
            rollbacks:
              - { name: restore, run: 'rm -f marker' }
            safeguards:
              interval: 500ms
              probes:
                - name: cpu
                  metric: { name: system.cpu.usage, max: 95 }
            """, "/srv/exp.yaml");
        Assert.Empty(diagnostics);
        Assert.NotNull(experiment);
        Assert.Equal("Database survives latency", experiment.Title);
        Assert.Equal(2, experiment.Hypothesis.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(500), experiment.Hypothesis[0].MaxLatency);
        Assert.Equal(ActivityKind.Fault, experiment.Method[0].Kind);
        Assert.True(experiment.Method[0].Background);
        Assert.Equal(100, experiment.Method[0].Fault!.Toxics.LatencyMs);
        Assert.Equal(TimeSpan.FromSeconds(5), experiment.Method[0].Fault!.Duration);
        Assert.Equal(ActivityKind.Pause, experiment.Method[1].Kind);
        Assert.Single(experiment.Rollbacks);
        Assert.Equal(TimeSpan.FromMilliseconds(500), experiment.SafeguardInterval);
        Assert.Equal(95, experiment.Safeguards[0].Max);
    }

    [Fact]
    public void Every_error_is_reported_at_once_with_file_line_and_column()
    {
        var (experiment, diagnostics) = ExperimentReader.Parse("""
            title: Broken
            steady_state_hypothesis:
              probes:
                - name: two kinds
                  http: { url: 'http://x' }
                  command: { run: 'true' }
            method:
              - fault: { type: cpux, percent: 150 }
              - action: { run: 'x', shel: bash }
              - pause: soon
            rollbacks: nope
            """, "/srv/broken.yaml");
        Assert.Null(experiment);
        var errors = diagnostics.Select(d => d.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:4:7:", StringComparison.Ordinal) && e.Contains("exactly one of http, command"));
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:8:20:", StringComparison.Ordinal) && e.Contains("cpux"));
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:8:35:", StringComparison.Ordinal) && e.Contains("from 1 to 100"));
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:9:25:", StringComparison.Ordinal) && e.Contains("Did you mean 'shell'"));
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:10:12:", StringComparison.Ordinal) && e.Contains("'pause'"));
        Assert.Contains(errors, e => e.StartsWith("/srv/broken.yaml:11:12:", StringComparison.Ordinal) && e.Contains("must be a list"));
    }

    [Fact]
    public void A_file_without_title_or_method_names_what_to_add()
    {
        var (experiment, diagnostics) = ExperimentReader.Parse("description: nothing\n", "/srv/empty.yaml");
        Assert.Null(experiment);
        Assert.Contains(diagnostics, d => d.Message.Contains("no 'title'. Add 'title:'"));
        (experiment, diagnostics) = ExperimentReader.Parse("title: t\n", "/srv/empty.yaml");
        Assert.Null(experiment);
        Assert.Contains(diagnostics, d => d.Message.Contains("no 'method'. Add 'method:'"));
    }
}
