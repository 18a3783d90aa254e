namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Small sh scripts (git, npm, npx, node, python, python3, pip, pwsh, dotnet) first on an
/// environment's PATH: each runs the environment's tool (its venv's python, pip into that
/// venv) or the host tool by absolute path, so that nothing else on the host is picked up.
/// </summary>
internal static class ToolWrappers
{
    public static void Write(string bin, string tree, HostTools tools)
    {
        if (OperatingSystem.IsWindows())
        {
            // PATH alone decides on Windows; the wrappers are sh scripts.
            return;
        }
        var venvPython = Path.Combine(tree, "pip", "venv", "bin", "python");
        var hasVenv = File.Exists(venvPython) || new FileInfo(venvPython).LinkTarget is not null;
        var wrappers = new Dictionary<string, string?>
        {
            ["git"] = Exec(tools.Git),
            ["node"] = Exec(tools.Node),
            ["npm"] = Exec(tools.Npm),
            ["npx"] = Exec(tools.Find("npx")),
            ["dotnet"] = Exec(tools.Dotnet),
            ["pwsh"] = Exec(tools.Pwsh),
            ["python"] = hasVenv ? Exec(venvPython) : Exec(tools.Find("python3")),
            ["python3"] = hasVenv ? Exec(venvPython) : Exec(tools.Find("python3")),
            ["pip"] = hasVenv && tools.Python is { } python ? $"exec {Quote(python)} -m pip --python {Quote(venvPython)} \"$@\"" : null,
        };
        foreach (var stale in Directory.GetFiles(bin))
        {
            File.Delete(stale);
        }
        foreach (var (name, body) in wrappers)
        {
            if (body is null)
            {
                continue;
            }
            var file = Path.Combine(bin, name);
            File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static string? Exec(string? tool) => tool is null ? null : $"exec {Quote(tool)} \"$@\"";

    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}
