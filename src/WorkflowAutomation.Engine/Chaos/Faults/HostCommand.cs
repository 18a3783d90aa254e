using System.Diagnostics;

namespace WorkflowAutomation.Chaos;

/// <summary>Runs a system tool (tc, ip, mount, stress-ng) with an argument list, no shell in between.</summary>
internal static class HostCommand
{
    /// <summary>Where a tool is: PATH first, then the sbin folders a non-login root shell may lack.</summary>
    public static string? Which(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"])
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs the tool and waits (at most <paramref name="timeout"/>, 10 s by default); returns its exit code and both streams.</summary>
    public static (int ExitCode, string Output, string Error) Run(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var path = Which(tool) ?? throw new InvalidOperationException($"{tool} is not installed.");
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, $"{tool} did not finish in time and was killed. {error.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Runs the tool and throws, with its own message, when it fails.</summary>
    public static string RunChecked(string tool, params string[] arguments)
    {
        var (code, output, error) = Run(tool, arguments);
        return code == 0 ? output : throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed: {(error.Length > 0 ? error : output).Trim()}");
    }

    /// <summary>True when this process runs as root (the user id 0, also inside a user namespace).</summary>
    public static bool IsRoot() => GetEffectiveUserId() == 0;

    private static uint GetEffectiveUserId()
    {
        try
        {
            return OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? geteuid() : uint.MaxValue;
        }
        catch (DllNotFoundException)
        {
            return uint.MaxValue;
        }
        catch (EntryPointNotFoundException)
        {
            return uint.MaxValue;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = false)]
    private static extern uint geteuid();
}
