namespace WorkflowAutomation.Execution;

/// <summary>
/// The file a step names in <c>$env:WORKFLOW_OUTPUT</c>: <c>key=value</c> lines, and for
/// multi-line values GitHub Actions' <c>key&lt;&lt;DELIMITER</c> ... <c>DELIMITER</c> form.
/// A key written twice keeps its last value.
/// </summary>
public static class StepOutputFile
{
    public static Dictionary<string, string> Read(string path)
    {
        var outputs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(path))
        {
            return outputs;
        }
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            // pwsh 5-style redirection may write a BOM; values keep their own spaces.
            var line = lines[i].TrimStart('\uFEFF').TrimEnd('\r');
            var heredoc = line.IndexOf("<<", StringComparison.Ordinal);
            var equals = line.IndexOf('=');
            if (heredoc > 0 && (equals < 0 || heredoc < equals))
            {
                var key = line[..heredoc].Trim();
                var delimiter = line[(heredoc + 2)..].Trim();
                var value = new List<string>();
                while (++i < lines.Length && lines[i].TrimEnd('\r') != delimiter)
                {
                    value.Add(lines[i].TrimEnd('\r'));
                }
                outputs[key] = string.Join("\n", value);
            }
            else if (equals > 0)
            {
                outputs[line[..equals].Trim()] = line[(equals + 1)..];
            }
        }
        return outputs;
    }
}
