namespace WorkflowAutomation.Hermetic;

/// <summary>Files in the user's repository are replaced whole: a crash leaves the old or the new one, never half.</summary>
internal static class AtomicFile
{
    public static void Write(string path, string contents)
    {
        var temp = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("n")[..8];
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }
}
