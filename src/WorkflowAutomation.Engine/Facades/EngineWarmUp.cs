using Microsoft.Data.Sqlite;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Facades;

/// <summary>
/// Runs the code a session's first workflow needs (the YAML parser, the run store's JSON and
/// SQLite) once, on data of its own, touching no file: a host calls it on a background thread
/// after the module is imported, so the first run does not compile all of it on its own path.
/// </summary>
public static class EngineWarmUp
{
    private const string Sample = """
        name: warm_up
        inputs:
          version: { type: string, default: '1' }
        steps:
          - { name: prepare, shell: pwsh, command: '"version=1" >> $env:WORKFLOW_OUTPUT' }
          - { name: check, shell: sh, command: 'test -n "$STEPS_PREPARE_OUTPUTS_VERSION"', depends_on: [prepare], timeout: 5 }
          - { name: report, shell: pwsh, command: 'Write-Output "${{ inputs.version }}"', depends_on: [check], condition: success() }
        """;

    /// <summary>Parses a sample workflow, writes it as the run store would, and runs SQLite in memory.</summary>
    public static void Run()
    {
        var definition = WorkflowParser.Parse(Sample, "warm-up.yaml").Definition;
        if (definition is not null)
        {
            _ = System.Text.Json.JsonSerializer.Serialize(definition, RunStoreJsonContext.StoreOptions);
        }
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t(id TEXT PRIMARY KEY, n INTEGER); INSERT INTO t(id, n) VALUES($id, $n); SELECT n FROM t WHERE id=$id;";
        command.Parameters.AddWithValue("$id", "warm");
        command.Parameters.AddWithValue("$n", 1);
        _ = command.ExecuteScalar();
    }
}
