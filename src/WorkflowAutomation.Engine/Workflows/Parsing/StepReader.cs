using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Reads one item of <c>steps:</c>.</summary>
internal sealed class StepReader(YamlValues values)
{
    private static readonly string[] RetrySettings = ["retry_delay", "backoff", "jitter"];

    /// <summary>Names other tools use, pointed at ours (edit distance finds typos, not these).</summary>
    private static readonly Dictionary<string, string> ShellSynonyms = new()
    {
        ["powershell"] = "pwsh", ["pwsh.exe"] = "pwsh", ["powershell.exe"] = "pwsh", ["ps1"] = "pwsh",
        ["zsh"] = "bash", ["ksh"] = "sh", ["dash"] = "sh", ["/bin/sh"] = "sh", ["/bin/bash"] = "bash",
        ["cmd.exe"] = "cmd", ["bat"] = "cmd", ["python3"] = "python", ["py"] = "python",
    };

    private static readonly Dictionary<string, string> BackoffSynonyms = new()
    {
        ["fixed"] = "constant", ["none"] = "constant", ["exp"] = "exponential", ["incremental"] = "linear",
    };

    public StepSource Read(YamlNode node, int index)
    {
        var source = new StepSource { Index = index, Node = node };
        // The name first, so every other message can say which step it is about.
        if (node is YamlMappingNode mapping
            && mapping.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
            && nameNode is YamlScalarNode { Value: { Length: > 0 } name })
        {
            source.Name = name.Trim();
        }
        var owner = source.Describe();
        var entries = YamlMapping.Read(values, node, owner, WorkflowKeys.Step, WorkflowKeys.StepRequired);
        if (entries is null)
        {
            return source;
        }

        if (entries.TryGetValue("name", out var nameEntry))
        {
            source.NameNode = nameEntry.Value;
            source.Name = values.Text(nameEntry.Value, $"The name of {owner}", required: true)?.Trim();
        }
        var command = entries.TryGetValue("command", out var commandEntry) ? values.Text(commandEntry.Value, $"'command' of {owner}", required: true) : null;
        foreach (var key in new[] { "command", "rollback" })
        {
            if (entries.TryGetValue(key, out var entry) && entry.Value is YamlScalarNode text)
            {
                source.CommandNodes.Add(text);
            }
        }
        ReadDependsOn(entries, source, owner);
        if (entries.TryGetValue("condition", out var conditionEntry)
            && values.Text(conditionEntry.Value, $"'condition' of {owner}", required: true) is not null)
        {
            source.ConditionNode = (YamlScalarNode)conditionEntry.Value;
        }

        var retryCount = Optional(entries, "retry_count", value => values.Integer(value, $"'retry_count' of {owner}", min: 0, max: 100));
        // Only when retry_count is absent or 0: an invalid retry_count is reported on its own.
        if (!entries.ContainsKey("retry_count") || retryCount == 0)
        {
            foreach (var setting in RetrySettings.Where(entries.ContainsKey))
            {
                values.Diagnostics.Warning(entries[setting].Key, WorkflowDiagnosticCode.IneffectiveSetting,
                    $"'{setting}' of {owner} has no effect without 'retry_count'. Add 'retry_count' or remove '{setting}'.");
            }
        }

        var step = new WorkflowStep
        {
            Name = source.Name ?? string.Empty,
            Command = command ?? string.Empty,
            Shell = Optional(entries, "shell", value => values.Choice<StepShell>(value, $"'shell' of {owner}", WorkflowDiagnosticCode.UnknownShell, ShellSynonyms)) ?? StepShell.Pwsh,
            Timeout = Optional(entries, "timeout", value => values.Duration(value, $"'timeout' of {owner}", allowZero: false)),
            RetryCount = retryCount ?? 0,
            RetryDelay = Optional(entries, "retry_delay", value => values.Duration(value, $"'retry_delay' of {owner}", allowZero: true)) ?? TimeSpan.FromSeconds(1),
            Backoff = Optional(entries, "backoff", value => values.Choice<RetryBackoff>(value, $"'backoff' of {owner}", WorkflowDiagnosticCode.InvalidBackoff, BackoffSynonyms)) ?? RetryBackoff.Exponential,
            Jitter = Flag(entries, "jitter", owner),
            DependsOn = source.DependsOn.Select(dependency => dependency.Name).ToList(),
            Parallel = Flag(entries, "parallel", owner),
            ApprovalRequired = Flag(entries, "approval_required", owner),
            Condition = source.ConditionNode?.Value?.Trim(),
            Rollback = entries.TryGetValue("rollback", out var rollback) ? values.Text(rollback.Value, $"'rollback' of {owner}", required: true) : null,
            ContinueOnError = Flag(entries, "continue_on_error", owner),
            Env = entries.TryGetValue("env", out var env) ? values.Environment(env.Value, $"the 'env' of {owner}") : new Dictionary<string, string>(),
            WorkingDirectory = entries.TryGetValue("working_directory", out var folder) ? values.Text(folder.Value, $"'working_directory' of {owner}", required: true) : null,
            Environment = entries.TryGetValue("environment", out var environment) ? values.Text(environment.Value, $"'environment' of {owner}", required: true)?.Trim() : null,
            Limits = entries.TryGetValue("limits", out var limits) ? ReadLimits(limits.Value, owner) : null,
            Location = new SourceLocation(values.Diagnostics.File, (int)node.Start.Line, (int)node.Start.Column),
        };
        source.Step = step;
        return source;
    }

    private void ReadDependsOn(Dictionary<string, YamlEntry> entries, StepSource source, string owner)
    {
        if (!entries.TryGetValue("depends_on", out var entry))
        {
            return;
        }
        // A single name is accepted as well as a list: depends_on: build
        IEnumerable<YamlNode> items = entry.Value switch
        {
            YamlSequenceNode sequence => sequence.Children,
            YamlScalarNode scalar when !YamlValues.IsNull(scalar) => [scalar],
            _ => [],
        };
        if (entry.Value is YamlMappingNode || (entry.Value is YamlScalarNode empty && YamlValues.IsNull(empty)))
        {
            values.Diagnostics.Error(entry.Value, WorkflowDiagnosticCode.InvalidType,
                $"'depends_on' of {owner} must be a step name or a list of step names, such as [build, test], not {YamlValues.Kind(entry.Value)}.");
            return;
        }
        foreach (var item in items)
        {
            if (values.Text(item, $"An entry of 'depends_on' of {owner}", required: true) is { } name)
            {
                source.DependsOn.Add((name.Trim(), (YamlScalarNode)item));
            }
        }
    }

    private StepLimits? ReadLimits(YamlNode node, string owner)
    {
        var entries = YamlMapping.Read(values, node, $"'limits' of {owner}", WorkflowKeys.Limits, []);
        if (entries is null)
        {
            return null;
        }
        return new StepLimits
        {
            MemoryMb = entries.TryGetValue("memory_mb", out var memory) ? values.Integer(memory.Value, $"'limits.memory_mb' of {owner}", min: 4, max: 1048576) : null,
            CpuPercent = entries.TryGetValue("cpu_percent", out var cpu) ? values.Integer(cpu.Value, $"'limits.cpu_percent' of {owner}", min: 1, max: 10000) : null,
        };
    }

    private bool Flag(Dictionary<string, YamlEntry> entries, string key, string owner) =>
        entries.TryGetValue(key, out var entry) && (values.Boolean(entry.Value, $"'{key}' of {owner}") ?? false);

    private static T? Optional<T>(Dictionary<string, YamlEntry> entries, string key, Func<YamlNode, T?> read)
        where T : struct =>
        entries.TryGetValue(key, out var entry) ? read(entry.Value) : null;
}
