using WorkflowAutomation.Common;
using WorkflowAutomation.Workflows.Parsing;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows;

/// <summary>
/// Invoke-Workflow -ChaosProfile: step chaos for a run without editing the workflow. A YAML
/// file maps step names (wildcards allowed, the first match wins) to the chaos: settings of a
/// step, such as <c>steps: { 'call-*': { fault_rate: 0.5 } }</c>.
/// </summary>
public sealed class StepChaosProfile
{
    private StepChaosProfile(string file, IReadOnlyList<KeyValuePair<string, StepChaos>> entries)
    {
        File = file;
        Entries = entries;
    }

    public string File { get; }

    /// <summary>Step name patterns and their chaos, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, StepChaos>> Entries { get; }

    /// <summary>The chaos for a step: the first pattern that matches its name, or null.</summary>
    public StepChaos? For(string step) => Entries.FirstOrDefault(entry => Wildcard.IsMatch(step, entry.Key)).Value;

    /// <summary>Reads and validates a profile; every error with file, line and column.</summary>
    public static StepChaosProfile Load(string path)
    {
        var file = Path.GetFullPath(path);
        var diagnostics = new DiagnosticBag(file);
        var values = new YamlValues(diagnostics);
        var entries = new List<KeyValuePair<string, StepChaos>>();
        if (YamlLoader.Load(System.IO.File.ReadAllText(file), diagnostics) is { } root
            && YamlMapping.Read(values, root, "the chaos profile", ["steps"], ["steps"]) is { } top
            && top.TryGetValue("steps", out var steps))
        {
            if (steps.Value is YamlMappingNode mapping)
            {
                foreach (var (key, value) in mapping.Children)
                {
                    if (values.Text(key, "A step name of the chaos profile", required: true) is { } name
                        && StepChaosReader.Read(values, value, $"the chaos of '{name}'") is { } chaos)
                    {
                        entries.Add(new(name, chaos));
                    }
                }
            }
            else
            {
                diagnostics.Error(steps.Value, WorkflowDiagnosticCode.InvalidType, "'steps' of a chaos profile maps step names to chaos settings, such as 'call-api: { fault_rate: 0.5 }'.");
            }
        }
        if (diagnostics.HasErrors)
        {
            throw new WorkflowAutomationException(ErrorIds.ChaosProfileInvalid, ErrorKind.InvalidData,
                $"The chaos profile '{file}' has errors; fix them and try again:" + string.Concat(diagnostics.Sorted().Select(d => Environment.NewLine + "  " + d)));
        }
        return new StepChaosProfile(file, entries);
    }
}
