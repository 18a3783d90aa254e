namespace WorkflowAutomation.Chaos;

/// <summary>The kinds of fault Invoke-ChaosTest injects (the seed's chaos_test.sh test types).</summary>
public enum ChaosFaultType
{
    Network,
    Cpu,
    Memory,
    Disk,
    Process,
    Corruption,
    /// <summary>The framework's own resilience experiments against a daemon in a scratch state directory.</summary>
    Suite,
    /// <summary>A declared experiment file (steady-state hypothesis, method, rollbacks).</summary>
    Experiment,
}

/// <summary>How a chaos test ended.</summary>
public enum ChaosVerdict
{
    /// <summary>The fault took the measured effect (or the hypothesis held) and everything was reverted.</summary>
    Passed,
    /// <summary>The effect was outside its tolerance, the hypothesis did not hold, or something could not be reverted.</summary>
    Failed,
    /// <summary>Stopped early (Ctrl+C, a safeguard breach, an error); everything touched was reverted.</summary>
    Aborted,
}

/// <summary>The direction of a TCP connection a network toxic acts on (Toxiproxy's stream).</summary>
public enum ToxicDirection
{
    /// <summary>Server to client (Toxiproxy's default).</summary>
    Downstream,
    /// <summary>Client to server.</summary>
    Upstream,
    Both,
}

/// <summary>How a file is damaged by a corruption fault.</summary>
public enum CorruptionMode
{
    /// <summary>Inverts the bits of randomly chosen bytes.</summary>
    FlipBytes,
    /// <summary>Cuts the file to half its length.</summary>
    Truncate,
    /// <summary>Overwrites one 4 KiB page (the second when there is one: SQLite's first holds the header) with zeros.</summary>
    ZeroPage,
}
