using WorkflowAutomation.Hermetic;

namespace WorkflowAutomation.Tests.Hermetic;

/// <summary>Memory limits on a real process tree: stopped by the kernel and explained, or an rlimit where cgroups are not writable.</summary>
public sealed class ResourceLimitsTests
{
    [Fact]
    public void AProcessOverItsMemoryLimitIsStoppedAndTheLimitIsNamed()
    {
        using var launch = CommandLauncher.Prepare(null, "python3", ["-c", "data = bytearray(300 * 1024 * 1024); print('survived')"],
            new LaunchOptions { MaxMemoryMB = 48 });
        var environment = new Dictionary<string, string>(IsolatedEnvironment.CurrentHost().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!));
        foreach (var (key, value) in launch.Environment)
        {
            environment[key] = value;
        }
        var result = ToolRunner.Run(launch.FileName, launch.Arguments, environment, Path.GetTempPath(), CancellationToken.None);

        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("survived", result.Output);
        Assert.NotEqual(LimitMechanism.None, launch.Limits!.Mechanism);
        Assert.Contains("memory limit of 48 MB", launch.Explain(result.ExitCode));
        if (launch.Limits.Mechanism is LimitMechanism.CgroupV1 or LimitMechanism.CgroupV2)
        {
            Assert.True(launch.Limits.MemoryExceeded());
        }
    }

    [Fact]
    public void AProcessWithinItsLimitsRunsNormally()
    {
        using var launch = CommandLauncher.Prepare(null, "/bin/sh", ["-c", "echo fine"], new LaunchOptions { MaxMemoryMB = 64, MaxCpuPercent = 50 });
        var environment = IsolatedEnvironment.CurrentHost().Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!);
        foreach (var (key, value) in launch.Environment)
        {
            environment[key] = value;
        }
        var result = ToolRunner.Run(launch.FileName, launch.Arguments, environment, Path.GetTempPath(), CancellationToken.None);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("fine", result.Output.Trim());
        Assert.Null(launch.Explain(result.ExitCode));
    }
}
