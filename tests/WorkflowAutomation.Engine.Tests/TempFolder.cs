using WorkflowAutomation.Platform;
using WorkflowAutomation.State;

namespace WorkflowAutomation.Tests;

/// <summary>A fresh state directory per test, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "wa-xunit-" + Guid.NewGuid().ToString("n"));
        OwnerOnly.CreateDirectory(Path);
        State = new StateDirectory(Path);
    }

    public string Path { get; }

    public StateDirectory State { get; }

    public string File(string name, string contents)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, contents);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file; the OS cleans temp eventually.
        }
    }
}
