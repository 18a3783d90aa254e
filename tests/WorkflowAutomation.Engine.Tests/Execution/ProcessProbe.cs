namespace WorkflowAutomation.Tests.Execution;

/// <summary>Asks the OS whether processes still run (a zombie waiting to be reaped counts as gone).</summary>
internal static class ProcessProbe
{
    public static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }
        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is not ("Z" or "X");
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits briefly for the OS to finish tearing processes down.</summary>
    public static async Task<bool> AllGone(IEnumerable<int> pids)
    {
        for (var i = 0; i < 50; i++)
        {
            if (!pids.Any(IsRunning))
            {
                return true;
            }
            await Task.Delay(20);
        }
        return false;
    }

    /// <summary>Pids a test script wrote to a file, one per line, once it has written <paramref name="count"/>.</summary>
    public static async Task<int[]> ReadPids(string file, int count)
    {
        for (var i = 0; i < 250; i++)
        {
            if (File.Exists(file))
            {
                var pids = File.ReadAllLines(file).Where(line => line.Trim().Length > 0).Select(int.Parse).ToArray();
                if (pids.Length >= count)
                {
                    return pids;
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"{file} did not list {count} pids.");
    }
}
