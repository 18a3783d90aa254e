using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WorkflowAutomation.Workflows.Parsing;

/// <summary>Collects the findings of one file, so that every problem is reported at once.</summary>
internal sealed class DiagnosticBag(string file)
{
    private readonly List<WorkflowDiagnostic> items = [];

    public string File { get; } = file;

    /// <summary>How many findings so far (a check can tell whether it added one).</summary>
    public int Count => items.Count;

    public bool HasErrors => items.Any(item => item.Severity == DiagnosticSeverity.Error);

    /// <summary>The findings in file order, each once (a value shared through an alias is checked at every use).</summary>
    public IReadOnlyList<WorkflowDiagnostic> Sorted() =>
        items.DistinctBy(item => (item.Line, item.Column, item.Code))
            .OrderBy(item => item.Line).ThenBy(item => item.Column).ToList();

    public void Error(YamlNode node, string code, string message) => Error(node.Start, code, message);

    public void Error(Mark at, string code, string message) => Add((int)at.Line, (int)at.Column, DiagnosticSeverity.Error, code, message);

    public void Warning(YamlNode node, string code, string message) =>
        Add((int)node.Start.Line, (int)node.Start.Column, DiagnosticSeverity.Warning, code, message);

    public void Add(int line, int column, DiagnosticSeverity severity, string code, string message) =>
        items.Add(new WorkflowDiagnostic
        {
            File = File,
            Line = Math.Max(line, 1),
            Column = Math.Max(column, 1),
            Severity = severity,
            Code = code,
            Message = message,
        });
}
