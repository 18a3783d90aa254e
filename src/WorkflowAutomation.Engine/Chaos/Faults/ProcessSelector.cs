using System.Diagnostics;
using System.Globalization;
using WorkflowAutomation.Common;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Which processes a process fault may kill: a name pattern (name:web*), pids (pid:123,456),
/// the step processes of a workflow run (run:&lt;run id&gt;) or the daemon of the state
/// directory (daemon). Never pid 1, this process, or any of its ancestors (the session).
/// </summary>
internal sealed class ProcessSelector
{
    private readonly string kind;
    private readonly string value;
    private readonly StateDirectory state;

    private ProcessSelector(string kind, string value, StateDirectory state)
    {
        this.kind = kind;
        this.value = value;
        this.state = state;
    }

    public string Text => kind == "daemon" ? "daemon" : $"{kind}:{value}";

    public static ProcessSelector Parse(string text, StateDirectory state)
    {
        var trimmed = text.Trim();
        if (trimmed.Equals("daemon", StringComparison.OrdinalIgnoreCase))
        {
            return new ProcessSelector("daemon", string.Empty, state);
        }
        var colon = trimmed.IndexOf(':', StringComparison.Ordinal);
        var (kind, value) = colon > 0 ? (trimmed[..colon].ToLowerInvariant(), trimmed[(colon + 1)..].Trim()) : ("name", trimmed);
        if (kind == "name" && value.All(char.IsAsciiDigit) && value.Length > 0)
        {
            kind = "pid";
        }
        if (kind is not ("name" or "pid" or "run"))
        {
            throw Invalid($"'{text}' is not a process selector. Use name:<pattern>, pid:<pid>[,<pid>], run:<run id> or daemon.");
        }
        if (kind == "name" && value.Count(c => c is not ('*' or '?')) < 2)
        {
            throw Invalid($"The name pattern '{value}' would match almost every process. Name the processes, such as name:myservice*.");
        }
        if (kind == "pid" && !value.Split(',').All(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw Invalid($"'{value}' is not a list of pids, such as pid:1234,5678.");
        }
        if (kind == "run" && !OperatingSystem.IsLinux())
        {
            throw Invalid("run:<id> finds a run's step processes through /proc, which exists on Linux only.");
        }
        return new ProcessSelector(kind, value, state);
    }

    /// <summary>The pids the selector matches now, without the protected ones.</summary>
    public IReadOnlyList<(int Pid, string Name)> Match()
    {
        var protectedPids = Protected();
        var matches = new List<(int, string)>();
        IEnumerable<Process> candidates = kind switch
        {
            "pid" => value.Split(',').Select(p => TryGet(int.Parse(p, CultureInfo.InvariantCulture))).OfType<Process>(),
            "daemon" => new DaemonPaths(state) is var paths && DaemonPaths.ReadPid(paths.PidFile) is { } daemonPid && TryGet(daemonPid) is { } daemon ? [daemon] : [],
            _ => Process.GetProcesses(),
        };
        foreach (var process in candidates)
        {
            using (process)
            {
                if (protectedPids.Contains(process.Id) || !IsMatch(process))
                {
                    continue;
                }
                matches.Add((process.Id, SafeName(process)));
            }
        }
        return matches;
    }

    private bool IsMatch(Process process) => kind switch
    {
        "name" => Wildcard.IsMatch(SafeName(process), value),
        "run" => Environ(process.Id).Contains($"WORKFLOW_RUN_ID={value}"),
        _ => true,
    };

    private static string SafeName(Process process)
    {
        try
        {
            return process.ProcessName;
        }
        catch (InvalidOperationException)
        {
            return string.Empty;
        }
    }

    private static string[] Environ(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Pid 1, this process and its ancestors: killing them would end the session running the test.</summary>
    private static HashSet<int> Protected()
    {
        var pids = new HashSet<int> { 0, 1, Environment.ProcessId };
        var current = Environment.ProcessId;
        for (var depth = 0; depth < 64 && ParentOf(current) is { } parent && parent > 1; depth++)
        {
            pids.Add(parent);
            current = parent;
        }
        return pids;
    }

    private static int? ParentOf(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return null;
        }
        try
        {
            var text = File.ReadAllText(stat);
            // The name in parentheses may hold spaces: fields start after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    private static Process? TryGet(int pid)
    {
        try
        {
            return Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static ChaosException Invalid(string message) => new(ErrorIds.ChaosInvalidSelector, ErrorKind.InvalidArgument, message);
}
