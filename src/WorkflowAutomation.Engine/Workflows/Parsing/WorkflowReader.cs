using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using Cronos;
using WorkflowAutomation.Common;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>What the reader made of a file: the definition's parts plus the nodes the cross-step checks need.</summary>
internal sealed class WorkflowSource
{
    public required YamlNode Root { get; init; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public ExecutionMode ExecutionMode { get; set; } = ExecutionMode.Sequential;
    public int? MaxParallel { get; set; }
    public Dictionary<string, WorkflowInput> Inputs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, string> Env { get; set; } = new(StringComparer.Ordinal);
    public string? Schedule { get; set; }
    public YamlNode? ScheduleNode { get; set; }
    public string? TimeZone { get; set; }
    public List<StepSource> Steps { get; } = [];
    public WorkflowNotifications? Notifications { get; set; }
    /// <summary>'strict: true': interpolating a value into a command is an error, not a warning.</summary>
    public bool Strict { get; set; }
    public string? WorkingDirectory { get; set; }
    public string? Environment { get; set; }
    /// <summary>Inputs with the node of their name, for warnings.</summary>
    public Dictionary<string, YamlScalarNode> InputNodes { get; } = new(StringComparer.Ordinal);
}

/// <summary>Turns the YAML tree of a workflow into its parts, reporting every bad value on the way.</summary>
internal sealed partial class WorkflowReader(YamlValues values)
{
    /// <summary>Type names of other tools, pointed at ours.</summary>
    private static readonly Dictionary<string, string> InputTypeSynonyms = new()
    {
        ["int"] = "number", ["integer"] = "number", ["float"] = "number", ["double"] = "number", ["decimal"] = "number",
        ["bool"] = "boolean", ["switch"] = "boolean", ["str"] = "string", ["text"] = "string", ["choice"] = "string",
    };

    private DiagnosticBag Diagnostics => values.Diagnostics;

    public WorkflowSource Read(YamlNode root)
    {
        var source = new WorkflowSource { Root = root };
        var entries = YamlMapping.Read(values, root, "the workflow", WorkflowKeys.Workflow, WorkflowKeys.WorkflowRequired);
        if (entries is null)
        {
            return source;
        }
        foreach (var (key, (_, value)) in entries)
        {
            switch (key)
            {
                case "name":
                    source.Name = values.Text(value, "The workflow's 'name'", required: true);
                    break;
                case "description":
                    source.Description = values.Text(value, "'description'");
                    break;
                case "execution_mode":
                    source.ExecutionMode = values.Choice<ExecutionMode>(value, "'execution_mode'", WorkflowDiagnosticCode.InvalidExecutionMode)
                        ?? ExecutionMode.Sequential;
                    break;
                case "max_parallel":
                    source.MaxParallel = values.Integer(value, "'max_parallel'", min: 1);
                    break;
                case "inputs":
                    ReadInputs(value, source);
                    break;
                case "env":
                    source.Env = values.Environment(value, "the workflow's 'env'");
                    break;
                case "schedule":
                    source.ScheduleNode = value;
                    source.Schedule = ReadSchedule(value);
                    break;
                case "time_zone":
                    source.TimeZone = ReadTimeZone(value);
                    break;
                case "steps":
                    ReadSteps(value, source);
                    break;
                case "notifications":
                    source.Notifications = ReadNotifications(value);
                    break;
                case "strict":
                    source.Strict = values.Boolean(value, "'strict'") ?? false;
                    break;
                case "working_directory":
                    source.WorkingDirectory = values.Text(value, "The workflow's 'working_directory'", required: true);
                    break;
                case "environment":
                    source.Environment = values.Text(value, "The workflow's 'environment'", required: true)?.Trim();
                    break;
            }
        }
        return source;
    }

    private void ReadInputs(YamlNode node, WorkflowSource source)
    {
        if (node is not YamlMappingNode mapping)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType,
                $"'inputs' must be a mapping of input names to their settings, such as 'version: {{ type: string, default: \"1.0\" }}', not {YamlValues.Kind(node)}.");
            return;
        }
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } key)
            {
                Diagnostics.Error(keyNode, WorkflowDiagnosticCode.InvalidType, "Input names must be plain names.");
                continue;
            }
            if (!Identifier().IsMatch(name))
            {
                Diagnostics.Error(key, WorkflowDiagnosticCode.InvalidValue,
                    $"Input name '{name}' cannot be used in ${{{{ inputs.{name} }}}}. Use letters, digits, '_' and '-', starting with a letter or '_'.");
            }
            source.InputNodes[name] = key;
            source.Inputs[name] = ReadInput(name, value);
        }
    }

    private WorkflowInput ReadInput(string name, YamlNode node)
    {
        // Shorthand: 'version: "1.0"' is a string input with that default.
        if (node is YamlScalarNode scalar)
        {
            return new WorkflowInput { Name = name, Default = YamlValues.IsNull(scalar) ? null : scalar.Value };
        }
        var owner = $"input '{name}'";
        var entries = YamlMapping.Read(values, node, owner, WorkflowKeys.Input, []);
        if (entries is null)
        {
            return new WorkflowInput { Name = name };
        }
        var type = entries.TryGetValue("type", out var typeEntry)
            ? values.Choice<InputType>(typeEntry.Value, $"'type' of {owner}", WorkflowDiagnosticCode.InvalidInputType, InputTypeSynonyms) ?? InputType.String
            : InputType.String;
        return new WorkflowInput
        {
            Name = name,
            Type = type,
            Default = entries.TryGetValue("default", out var defaultEntry) ? ReadDefault(defaultEntry.Value, type, owner) : null,
            Required = entries.TryGetValue("required", out var required) && (values.Boolean(required.Value, $"'required' of {owner}") ?? false),
            Description = entries.TryGetValue("description", out var description) ? values.Text(description.Value, $"'description' of {owner}") : null,
            Secret = entries.TryGetValue("secret", out var secret) && (values.Boolean(secret.Value, $"'secret' of {owner}") ?? false),
        };
    }

    private object? ReadDefault(YamlNode node, InputType type, string owner)
    {
        if (node is not YamlScalarNode scalar)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidDefault, $"The default of {owner} must be a single value, not {YamlValues.Kind(node)}.");
            return null;
        }
        if (YamlValues.IsNull(scalar))
        {
            return null;
        }
        var text = scalar.Value!;
        switch (type)
        {
            case InputType.Number when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                return number;
            case InputType.Boolean when text.Trim().ToLowerInvariant() is "true" or "false":
                return text.Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
            case InputType.String:
                return text;
        }
        var expected = type == InputType.Number ? "a number" : "true or false";
        Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidDefault,
            $"The default of {owner} must be {expected} because its type is {type.ToString().ToLowerInvariant()}; '{text}' is not. Change the default or the type.");
        return null;
    }

    private string? ReadSchedule(YamlNode node)
    {
        if (values.Text(node, "'schedule'", required: true) is not { } text)
        {
            return null;
        }
        var expression = text.Trim();
        var fields = expression.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        if (!expression.StartsWith('@') && fields is not (5 or 6))
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidCron,
                $"'schedule' must be a cron expression of 5 fields (minute hour day-of-month month day-of-week, such as '*/15 * * * *') or 6 with seconds first; '{expression}' has {fields}.");
            return null;
        }
        try
        {
            CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            return expression;
        }
        catch (CronFormatException exception)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidCron,
                $"'schedule' is not a valid cron expression: {exception.Message.TrimEnd('.')}. Use 5 fields such as '*/15 * * * *' (or 6 with seconds first).");
            return null;
        }
    }

    private string? ReadTimeZone(YamlNode node)
    {
        if (values.Text(node, "'time_zone'", required: true) is not { } id)
        {
            return null;
        }
        if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out _))
        {
            return id;
        }
        var known = TimeZoneInfo.GetSystemTimeZones().Select(zone => zone.Id).Append("UTC");
        var hint = DidYouMean.Closest(id, known) is { } match ? $" Did you mean '{match}'?" : " Use an id such as 'UTC' or 'Europe/Berlin'.";
        Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidTimeZone, $"'time_zone' '{id}' is not a time zone known on this machine.{hint}");
        return null;
    }

    private WorkflowNotifications? ReadNotifications(YamlNode node)
    {
        var entries = YamlMapping.Read(values, node, "'notifications'", WorkflowKeys.Notifications, []);
        if (entries is null)
        {
            return null;
        }
        string? webhook = null;
        string? email = null;
        if (entries.TryGetValue("webhook", out var webhookEntry) && values.Text(webhookEntry.Value, "'webhook'", required: true) is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                webhook = url;
            }
            else
            {
                Diagnostics.Error(webhookEntry.Value, WorkflowDiagnosticCode.InvalidValue, $"'webhook' must be an http:// or https:// URL, not '{url}'.");
            }
        }
        if (entries.TryGetValue("email", out var emailEntry) && values.Text(emailEntry.Value, "'email'", required: true) is { } address)
        {
            if (MailAddress.TryCreate(address, out _))
            {
                email = address;
            }
            else
            {
                Diagnostics.Error(emailEntry.Value, WorkflowDiagnosticCode.InvalidValue, $"'email' must be an address such as team@example.com, not '{address}'.");
            }
        }
        return new WorkflowNotifications { Webhook = webhook, Email = email };
    }

    private void ReadSteps(YamlNode node, WorkflowSource source)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidType, $"'steps' must be a list of steps, each starting with '- name:', not {YamlValues.Kind(node)}.");
            return;
        }
        if (sequence.Children.Count == 0)
        {
            Diagnostics.Error(node, WorkflowDiagnosticCode.InvalidValue, "'steps' is empty. Add at least one step with a name and a command.");
            return;
        }
        foreach (var item in sequence.Children)
        {
            source.Steps.Add(new StepReader(values).Read(item, source.Steps.Count));
        }
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_-]*$")]
    internal static partial Regex Identifier();
}
