using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows;
using WorkflowAutomation.Workflows.Parsing;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Chaos;

/// <summary>An experiment file with errors; the message lists every one as file:line:column: message.</summary>
public sealed class ChaosExperimentException(string file, IReadOnlyList<WorkflowDiagnostic> diagnostics)
    : WorkflowAutomationException(ErrorIds.ChaosExperimentInvalid, ErrorKind.InvalidData,
        $"The experiment file '{file}' has {diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error)} error(s); fix them and try again:"
        + string.Concat(diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => Environment.NewLine + "  " + d)))
{
    public IReadOnlyList<WorkflowDiagnostic> Diagnostics { get; } = diagnostics;
}

/// <summary>
/// Reads experiment YAML with the workflow loader, so it is validated the same way: every
/// error at once, each with file, line and column, before anything is touched.
/// </summary>
public static class ExperimentReader
{
    private static readonly string[] TopKeys = ["title", "description", "steady_state_hypothesis", "method", "rollbacks", "safeguards"];
    private static readonly string[] HypothesisKeys = ["title", "probes"];
    private static readonly string[] ProbeKeys = ["name", "http", "command", "metric", "workflow", "timeout"];
    private static readonly string[] HttpKeys = ["url", "status", "max_latency"];
    private static readonly string[] CommandKeys = ["run", "shell", "exit_code", "output_matches"];
    private static readonly string[] MetricKeys = ["name", "aggregate", "window", "expect", "tolerance", "min", "max"];
    private static readonly string[] WorkflowProbeKeys = ["path", "expect"];
    private static readonly string[] ActivityKeys = ["fault", "action", "probe", "pause", "background"];
    private static readonly string[] ActionKeys = ["name", "run", "shell", "timeout"];
    private static readonly string[] SafeguardKeys = ["interval", "probes"];
    private static readonly string[] FaultKeys =
    [
        "type", "duration", "percent", "cores", "mega_bytes", "fill_percent", "path", "min_free_mega_bytes", "target", "count",
        "interval", "mode", "bytes", "listen_port", "latency_ms", "jitter_ms", "bandwidth_kbps", "timeout_ms", "reset_peer_ms",
        "slice_bytes", "slice_delay_us", "limit_bytes", "down", "direction", "toxicity", "seed",
    ];
    private static readonly string[] Shells = ["sh", "bash", "pwsh"];

    /// <summary>Reads and validates a file; throws <see cref="ChaosExperimentException"/> listing every error.</summary>
    public static ChaosExperiment Load(string path)
    {
        var (experiment, diagnostics) = Parse(File.ReadAllText(path), Path.GetFullPath(path));
        return experiment ?? throw new ChaosExperimentException(Path.GetFullPath(path), diagnostics);
    }

    /// <summary>Validates YAML text; the experiment is null when there is an error.</summary>
    public static (ChaosExperiment? Experiment, IReadOnlyList<WorkflowDiagnostic> Diagnostics) Parse(string yaml, string file)
    {
        var bag = new DiagnosticBag(file);
        var root = YamlLoader.Load(yaml, bag);
        if (root is null)
        {
            return (null, bag.Sorted());
        }
        var reader = new Reader(new YamlValues(bag), Path.GetDirectoryName(file) ?? ".");
        var experiment = reader.Experiment(root, file);
        return (bag.HasErrors ? null : experiment, bag.Sorted());
    }

    private sealed class Reader(YamlValues values, string folder)
    {
        public ChaosExperiment? Experiment(YamlNode root, string file)
        {
            var entries = YamlMapping.Read(values, root, "the experiment", TopKeys, ["title", "method"]);
            if (entries is null)
            {
                return null;
            }
            var hypothesis = new List<ExperimentProbe>();
            var hypothesisTitle = "Steady state";
            if (entries.TryGetValue("steady_state_hypothesis", out var ssh)
                && YamlMapping.Read(values, ssh.Value, "'steady_state_hypothesis'", HypothesisKeys, ["probes"]) is { } sshEntries)
            {
                hypothesisTitle = Text(sshEntries, "title", "'title' of the hypothesis") ?? hypothesisTitle;
                if (sshEntries.TryGetValue("probes", out var probes))
                {
                    hypothesis.AddRange(Items(probes.Value, "'probes'").Select((node, i) => Probe(node, $"probe {i + 1} of the hypothesis")).OfType<ExperimentProbe>());
                }
            }
            var method = entries.TryGetValue("method", out var methodEntry)
                ? Items(methodEntry.Value, "'method'").Select((node, i) => Activity(node, $"item {i + 1} of 'method'")).OfType<ExperimentActivity>().ToList()
                : [];
            if (entries.ContainsKey("method") && method.Count == 0 && !values.Diagnostics.HasErrors)
            {
                values.Diagnostics.Error(methodEntry.Value, WorkflowDiagnosticCode.InvalidValue, "'method' is empty. Add at least one fault or action.");
            }
            var rollbacks = entries.TryGetValue("rollbacks", out var rollbackEntry)
                ? Items(rollbackEntry.Value, "'rollbacks'").Select((node, i) => Action(node, $"rollback {i + 1}")).OfType<ExperimentAction>().ToList()
                : [];
            var safeguards = new List<ExperimentProbe>();
            var interval = TimeSpan.FromSeconds(1);
            if (entries.TryGetValue("safeguards", out var safeguardEntry)
                && YamlMapping.Read(values, safeguardEntry.Value, "'safeguards'", SafeguardKeys, ["probes"]) is { } safeguardEntries)
            {
                interval = Duration(safeguardEntries, "interval", "'interval' of 'safeguards'") ?? interval;
                if (safeguardEntries.TryGetValue("probes", out var probes))
                {
                    safeguards.AddRange(Items(probes.Value, "'probes' of 'safeguards'").Select((node, i) => Probe(node, $"safeguard {i + 1}")).OfType<ExperimentProbe>());
                }
            }
            return new ChaosExperiment
            {
                Title = Text(entries, "title", "'title'", required: true) ?? string.Empty,
                Description = Text(entries, "description", "'description'"),
                File = file,
                HypothesisTitle = hypothesisTitle,
                Hypothesis = hypothesis,
                Method = method,
                Rollbacks = rollbacks,
                Safeguards = safeguards,
                SafeguardInterval = interval,
            };
        }

        private IEnumerable<YamlNode> Items(YamlNode node, string what)
        {
            if (node is YamlSequenceNode sequence)
            {
                return sequence.Children;
            }
            values.Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"{YamlMapping.Capitalize(what)} must be a list ('- ' items), not {YamlValues.Kind(node)}.");
            return [];
        }

        private ExperimentProbe? Probe(YamlNode node, string owner)
        {
            var entries = YamlMapping.Read(values, node, owner, ProbeKeys, ["name"]);
            if (entries is null)
            {
                return null;
            }
            var name = Text(entries, "name", $"'name' of {owner}", required: true) ?? owner;
            owner = $"probe '{name}'";
            var kinds = new[] { "http", "command", "metric", "workflow" }.Where(entries.ContainsKey).ToList();
            if (kinds.Count != 1)
            {
                values.Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidValue,
                    $"{YamlMapping.Capitalize(owner)} needs exactly one of http, command, metric or workflow{(kinds.Count > 1 ? $", not {string.Join(" and ", kinds)}" : string.Empty)}.");
                return null;
            }
            var timeout = Duration(entries, "timeout", $"'timeout' of {owner}") ?? TimeSpan.FromSeconds(10);
            var body = entries[kinds[0]].Value;
            switch (kinds[0])
            {
                case "http":
                {
                    var http = YamlMapping.Read(values, body, $"'http' of {owner}", HttpKeys, ["url"]);
                    var url = http is null ? null : Text(http, "url", $"'url' of {owner}", required: true);
                    if (url is not null && !Uri.TryCreate(url, UriKind.Absolute, out _))
                    {
                        values.Diagnostics.Error(http!["url"].Value, WorkflowDiagnosticCode.InvalidValue, $"'{url}' is not an absolute URL, such as http://127.0.0.1:8080/health.");
                    }
                    return new ExperimentProbe
                    {
                        Name = name, Kind = ProbeKind.Http, Timeout = timeout, Url = url,
                        Status = http is null ? 200 : Integer(http, "status", $"'status' of {owner}", 100, 599) ?? 200,
                        MaxLatency = http is null ? null : Duration(http, "max_latency", $"'max_latency' of {owner}"),
                    };
                }
                case "command":
                {
                    var command = YamlMapping.Read(values, body, $"'command' of {owner}", CommandKeys, ["run"]);
                    var pattern = command is null ? null : Text(command, "output_matches", $"'output_matches' of {owner}");
                    if (pattern is not null && !IsRegex(pattern))
                    {
                        values.Diagnostics.Error(command!["output_matches"].Value, WorkflowDiagnosticCode.InvalidValue, $"'{pattern}' is not a valid regular expression.");
                    }
                    return new ExperimentProbe
                    {
                        Name = name, Kind = ProbeKind.Command, Timeout = timeout,
                        Command = command is null ? null : Text(command, "run", $"'run' of {owner}", required: true),
                        Shell = command is null ? "sh" : Shell(command, owner),
                        ExitCode = command is null ? 0 : Integer(command, "exit_code", $"'exit_code' of {owner}", 0, 255) ?? 0,
                        OutputMatches = pattern,
                    };
                }
                case "metric":
                {
                    var metric = YamlMapping.Read(values, body, $"'metric' of {owner}", MetricKeys, ["name"]);
                    var aggregate = metric is null ? "avg" : Text(metric, "aggregate", $"'aggregate' of {owner}")?.ToLowerInvariant() ?? "avg";
                    if (metric is not null && aggregate is not ("avg" or "min" or "max" or "sum" or "count" or "last"))
                    {
                        values.Diagnostics.Error(metric["aggregate"].Value, WorkflowDiagnosticCode.InvalidValue, $"'aggregate' of {owner} must be one of avg, min, max, sum, count, last.");
                    }
                    var probe = new ExperimentProbe
                    {
                        Name = name, Kind = ProbeKind.Metric, Timeout = timeout,
                        Metric = metric is null ? null : Text(metric, "name", $"'name' of the metric of {owner}", required: true),
                        Aggregate = aggregate,
                        Window = metric is null ? TimeSpan.FromMinutes(1) : Duration(metric, "window", $"'window' of {owner}") ?? TimeSpan.FromMinutes(1),
                        Expect = metric is null ? null : Number(metric, "expect", owner),
                        Tolerance = metric is null ? 0 : Number(metric, "tolerance", owner) ?? 0,
                        Min = metric is null ? null : Number(metric, "min", owner),
                        Max = metric is null ? null : Number(metric, "max", owner),
                    };
                    if (metric is not null && probe.Expect is null && probe.Min is null && probe.Max is null)
                    {
                        values.Diagnostics.Error(body, WorkflowDiagnosticCode.MissingKey, $"The metric of {owner} needs 'expect' (with 'tolerance'), 'min' or 'max'.");
                    }
                    return probe;
                }
                default:
                {
                    var workflow = YamlMapping.Read(values, body, $"'workflow' of {owner}", WorkflowProbeKeys, ["path"]);
                    var path = workflow is null ? null : Text(workflow, "path", $"'path' of {owner}", required: true);
                    var expect = workflow is null ? null : Text(workflow, "expect", $"'expect' of {owner}");
                    if (expect is not null && !Enum.TryParse<RunStatus>(expect, ignoreCase: true, out _))
                    {
                        values.Diagnostics.Error(workflow!["expect"].Value, WorkflowDiagnosticCode.InvalidValue,
                            $"'expect' of {owner} must be a run status ({string.Join(", ", Enum.GetNames<RunStatus>())}).");
                    }
                    return new ExperimentProbe
                    {
                        Name = name, Kind = ProbeKind.Workflow, Timeout = workflow is not null && entries.ContainsKey("timeout") ? timeout : TimeSpan.FromMinutes(10),
                        WorkflowPath = path is null ? null : Resolve(path),
                        ExpectStatus = expect is null ? "Succeeded" : Enum.Parse<RunStatus>(expect, ignoreCase: true).ToString(),
                    };
                }
            }
        }

        private ExperimentActivity? Activity(YamlNode node, string owner)
        {
            var entries = YamlMapping.Read(values, node, owner, ActivityKeys, []);
            if (entries is null)
            {
                return null;
            }
            var kinds = new[] { "fault", "action", "probe", "pause" }.Where(entries.ContainsKey).ToList();
            if (kinds.Count != 1)
            {
                values.Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidValue,
                    $"{YamlMapping.Capitalize(owner)} needs exactly one of fault, action, probe or pause{(kinds.Count > 1 ? $", not {string.Join(" and ", kinds)}" : string.Empty)}.");
                return null;
            }
            var background = entries.TryGetValue("background", out var bg) && (values.Boolean(bg.Value, $"'background' of {owner}") ?? false);
            var line = (int)node.Start.Line;
            var body = entries[kinds[0]].Value;
            return kinds[0] switch
            {
                "fault" => Fault(body, owner) is { } fault ? new ExperimentActivity { Kind = ActivityKind.Fault, Fault = fault, Background = background, Line = line } : null,
                "action" => Action(body, $"the action of {owner}") is { } action ? new ExperimentActivity { Kind = ActivityKind.Action, Action = action, Background = background, Line = line } : null,
                "probe" => Probe(body, $"the probe of {owner}") is { } probe ? new ExperimentActivity { Kind = ActivityKind.Probe, Probe = probe, Background = background, Line = line } : null,
                _ => values.Duration(body, $"'pause' of {owner}", allowZero: true) is { } pause ? new ExperimentActivity { Kind = ActivityKind.Pause, Pause = pause, Line = line } : null,
            };
        }

        private ExperimentAction? Action(YamlNode node, string owner)
        {
            var entries = YamlMapping.Read(values, node, owner, ActionKeys, ["run"]);
            if (entries is null)
            {
                return null;
            }
            var run = Text(entries, "run", $"'run' of {owner}", required: true);
            return run is null ? null : new ExperimentAction
            {
                Name = Text(entries, "name", $"'name' of {owner}") ?? run,
                Command = run,
                Shell = Shell(entries, owner),
                Timeout = Duration(entries, "timeout", $"'timeout' of {owner}") ?? TimeSpan.FromSeconds(60),
            };
        }

        private ChaosFaultOptions? Fault(YamlNode node, string owner)
        {
            var entries = YamlMapping.Read(values, node, $"the fault of {owner}", FaultKeys, ["type"]);
            if (entries is null || !entries.TryGetValue("type", out var typeEntry))
            {
                return null;
            }
            var type = values.Choice<ChaosFaultType>(typeEntry.Value, $"'type' of the fault of {owner}", WorkflowDiagnosticCode.InvalidValue);
            if (type is ChaosFaultType.Experiment or ChaosFaultType.Suite)
            {
                values.Diagnostics.Error(typeEntry.Value, WorkflowDiagnosticCode.InvalidValue, "A fault of an experiment is cpu, memory, disk, network, process or corruption.");
                return null;
            }
            int? Int(string key, int min, int max) => entries.ContainsKey(key) ? values.Integer(entries[key].Value, $"'{key}' of the fault of {owner}", min, max) : null;
            var path = Text(entries, "path", $"'path' of the fault of {owner}");
            // Every value is read (and checked) even when the type is wrong, so all errors show at once.
            var options = new ChaosFaultOptions
            {
                Type = type ?? ChaosFaultType.Cpu,
                Duration = Duration(entries, "duration", $"'duration' of the fault of {owner}") ?? TimeSpan.FromSeconds(10),
                Percent = Int("percent", 1, 100) ?? 80,
                Cores = Int("cores", 1, Environment.ProcessorCount),
                MegaBytes = Int("mega_bytes", 1, 1024 * 1024) ?? 512,
                FillPercent = Int("fill_percent", 1, 99) ?? 90,
                Path = path is null ? null : Resolve(path),
                MinFreeMegaBytes = Int("min_free_mega_bytes", 0, int.MaxValue) ?? 100,
                Target = Text(entries, "target", $"'target' of the fault of {owner}"),
                Count = Int("count", 1, 1000) ?? 1,
                Interval = Duration(entries, "interval", $"'interval' of the fault of {owner}") ?? TimeSpan.Zero,
                Mode = entries.TryGetValue("mode", out var mode) ? values.Choice<CorruptionMode>(mode.Value, $"'mode' of the fault of {owner}", WorkflowDiagnosticCode.InvalidValue) ?? CorruptionMode.FlipBytes : CorruptionMode.FlipBytes,
                Bytes = Int("bytes", 1, int.MaxValue) ?? 16,
                ListenPort = Int("listen_port", 0, 65535) ?? 0,
                Seed = Int("seed", 0, int.MaxValue),
                Toxics = new ToxicSettings
                {
                    LatencyMs = Int("latency_ms", 0, 600000) ?? 0,
                    JitterMs = Int("jitter_ms", 0, 600000) ?? 0,
                    BandwidthKBps = Int("bandwidth_kbps", 0, int.MaxValue) ?? 0,
                    TimeoutMs = Int("timeout_ms", 0, int.MaxValue),
                    ResetPeerMs = Int("reset_peer_ms", 0, int.MaxValue),
                    SliceBytes = Int("slice_bytes", 0, int.MaxValue) ?? 0,
                    SliceDelayMicroseconds = Int("slice_delay_us", 0, int.MaxValue) ?? 0,
                    LimitBytes = Int("limit_bytes", 0, int.MaxValue) ?? 0,
                    Down = entries.TryGetValue("down", out var down) && (values.Boolean(down.Value, $"'down' of the fault of {owner}") ?? false),
                    Direction = entries.TryGetValue("direction", out var direction) ? values.Choice<ToxicDirection>(direction.Value, $"'direction' of the fault of {owner}", WorkflowDiagnosticCode.InvalidValue) ?? ToxicDirection.Downstream : ToxicDirection.Downstream,
                    Toxicity = Number(entries, "toxicity", owner) is { } toxicity ? Math.Clamp(toxicity, 0, 1) : 1,
                },
            };
            return type is null ? null : options;
        }

        private string Shell(Dictionary<string, YamlEntry> entries, string owner)
        {
            var shell = Text(entries, "shell", $"'shell' of {owner}") ?? "sh";
            if (!Shells.Contains(shell))
            {
                values.Diagnostics.Error(entries["shell"].Value, WorkflowDiagnosticCode.UnknownShell, $"'shell' of {owner} must be one of {string.Join(", ", Shells)}, not '{shell}'.{DidYouMean.Hint(shell, Shells)}");
            }
            return shell;
        }

        private string? Text(Dictionary<string, YamlEntry> entries, string key, string what, bool required = false) =>
            entries.TryGetValue(key, out var entry) ? values.Text(entry.Value, what, required) : null;

        private TimeSpan? Duration(Dictionary<string, YamlEntry> entries, string key, string what) =>
            entries.TryGetValue(key, out var entry) ? values.Duration(entry.Value, what, allowZero: true) : null;

        private int? Integer(Dictionary<string, YamlEntry> entries, string key, string what, int min, int max) =>
            entries.TryGetValue(key, out var entry) ? values.Integer(entry.Value, what, min, max) : null;

        private double? Number(Dictionary<string, YamlEntry> entries, string key, string owner)
        {
            if (!entries.TryGetValue(key, out var entry))
            {
                return null;
            }
            if (entry.Value is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
            {
                return number;
            }
            values.Diagnostics.Error(entry.Value, WorkflowDiagnosticCode.InvalidType, $"'{key}' of {owner} must be a number, not {YamlValues.Show(entry.Value)}.");
            return null;
        }

        private string Resolve(string path) => Path.GetFullPath(Path.Combine(folder, path));

        private static bool IsRegex(string pattern)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(pattern);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
