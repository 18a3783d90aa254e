namespace WorkflowAutomation.Hermetic.Managers;

/// <summary>
/// Removes every absolute path a venv writes about itself, so that one tree can live at
/// any path and be hard-linked from the shared cache: the activate scripts go (the
/// environment has its own), pyvenv.cfg loses its 'command' line, and console-script
/// shebangs find python next to themselves (the /bin/sh trick pip's launchers use).
/// </summary>
internal static class Relocatable
{
    private const string Launcher = "#!/bin/sh\n'''exec' \"$(dirname -- \"$0\")/python\" \"$0\" \"$@\"\n' '''\n";

    public static void Fix(string venv)
    {
        var bin = Path.Combine(venv, "bin");
        foreach (var script in new[] { "activate", "activate.csh", "activate.fish", "Activate.ps1" })
        {
            File.Delete(Path.Combine(bin, script));
        }
        var config = Path.Combine(venv, "pyvenv.cfg");
        if (File.Exists(config))
        {
            var lines = File.ReadAllLines(config).Where(line => !line.StartsWith("command", StringComparison.Ordinal));
            File.WriteAllText(config, string.Join('\n', lines) + "\n");
        }
        if (Directory.Exists(bin) && !OperatingSystem.IsWindows())
        {
            foreach (var file in new DirectoryInfo(bin).GetFiles().Where(f => f.LinkTarget is null))
            {
                var text = File.ReadAllText(file.FullName);
                if (text.StartsWith("#!" + venv, StringComparison.Ordinal))
                {
                    var mode = File.GetUnixFileMode(file.FullName);
                    File.WriteAllText(file.FullName, Launcher + text[(text.IndexOf('\n') + 1)..]);
                    File.SetUnixFileMode(file.FullName, mode);
                }
            }
        }
        foreach (var cache in Directory.GetDirectories(venv, "__pycache__", SearchOption.AllDirectories))
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
