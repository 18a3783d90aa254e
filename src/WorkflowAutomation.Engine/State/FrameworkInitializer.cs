using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.State;

/// <summary>Creates the state directory, a default configuration and an example workflow.</summary>
public static class FrameworkInitializer
{
    private const string ExampleWorkflow = """
        # An example workflow: run it with Invoke-Workflow -Path <this file>
        name: hello_workflow
        description: Greets, reports the host, and cleans up
        execution_mode: sequential
        inputs:
          greeting: { type: string, default: Hello }
        steps:
          - name: greet
            shell: pwsh
            command: |
              "${{ inputs.greeting }} from $env:WORKFLOW_NAME"
              "greeted=true" >> $env:WORKFLOW_OUTPUT
          - name: report
            shell: sh
            command: uname -a
            depends_on: [greet]
          - name: cleanup
            command: Write-Output 'done'
            condition: always()
        """;

    public static FrameworkInfo Initialize(StateDirectory state, bool force)
    {
        var created = new List<string>();
        if (!Directory.Exists(state.Root))
        {
            created.Add(state.Root);
        }
        state.EnsureCreated();
        foreach (var folder in new[] { state.WorkflowsFolder, state.LogsFolder, state.MetricsInbox })
        {
            if (!Directory.Exists(folder))
            {
                created.Add(folder);
            }
            state.EnsureFolder(folder);
        }
        if (force && File.Exists(state.ConfigurationFile))
        {
            File.Delete(state.ConfigurationFile);
        }
        if (WorkflowConfiguration.WriteDefaultFile(state))
        {
            created.Add(state.ConfigurationFile);
        }
        var example = Path.Combine(state.WorkflowsFolder, "hello.yaml");
        if (force || !File.Exists(example))
        {
            OwnerOnly.WriteAllText(example, ExampleWorkflow + "\n");
            created.Add(example);
        }
        return new FrameworkInfo
        {
            StateDirectory = state.Root,
            ConfigurationFile = state.ConfigurationFile,
            ExampleWorkflow = example,
            Created = created,
        };
    }
}
