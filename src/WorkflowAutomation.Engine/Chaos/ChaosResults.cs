using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// The chaos results of a state directory and the recovery of what killed tests left: what
/// Get-ChaosResult, Invoke-ChaosTest -Recover and the dashboard's Chaos section call.
/// </summary>
public sealed class ChaosResults(StateDirectory state)
{
    /// <summary>Results matching a query, newest first (all when the query is empty).</summary>
    public IReadOnlyList<ChaosResult> List(ChaosResultQuery? query = null)
    {
        if (!File.Exists(ChaosStore.FileOf(state)))
        {
            // Reading creates nothing: no chaos test has run here yet.
            return [];
        }
        using var store = ChaosStore.Open(state);
        return store.Find(query ?? new ChaosResultQuery());
    }

    /// <summary>One result by id, or null.</summary>
    public ChaosResult? Find(string id) => List(new ChaosResultQuery { Ids = [id] }).FirstOrDefault();

    /// <summary>A result as the JSON document its journal is stored as.</summary>
    public static string ToJson(ChaosResult result) => ChaosStore.ToJson(result);

    /// <summary>The HTML report of a result: the one written with -ReportPath, or one rendered now.</summary>
    public static string Report(ChaosResult result) =>
        result.ReportPath is { } path && File.Exists(path) ? File.ReadAllText(path) : ChaosReportWriter.Render(result);

    /// <summary>Undoes what chaos tests whose process died left behind; <paramref name="shouldProcess"/> may veto each item.</summary>
    public IReadOnlyList<ChaosTouch> Recover(Func<string, bool>? shouldProcess = null) => RollbackJournal.Recover(state, shouldProcess);
}
