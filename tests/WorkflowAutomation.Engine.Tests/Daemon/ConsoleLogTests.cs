using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Daemon;

/// <summary>The detached daemon's console log: owner-only from the first byte, and bounded.</summary>
public sealed class ConsoleLogTests
{
    private static readonly UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Fact]
    public void A_detached_process_writes_its_console_log_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        var paths = new DaemonPaths(temp.State);
        // /bin/echo stands in for pwsh: the same detached launch, a process that prints its arguments.
        using var process = DaemonLauncher.StartDaemon(paths, new DaemonLaunchSettings { PwshPath = "/bin/echo", ModuleManifest = "m.psd1", NoDashboard = true });
        Assert.True(process.WaitForExit(10_000));
        Assert.Contains("Start-WorkflowDaemon -Foreground", File.ReadAllText(paths.ConsoleLogFile));
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(paths.ConsoleLogFile));
        foreach (var file in Directory.GetFiles(temp.State.LogsFolder))
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    public void A_file_an_older_version_left_readable_is_restricted()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        var log = temp.File("logs/daemon-console.log", "old\n");
        File.SetUnixFileMode(log, (UnixFileMode)Convert.ToInt32("644", 8));
        ConsoleLog.Prepare(log);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(log));
        Assert.Equal("old\n", File.ReadAllText(log));
    }

    [Fact]
    public void Past_its_size_it_is_rotated_in_place_keeping_a_few_copies()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        var log = temp.File("logs/daemon-console.log", "");
        // A process that holds the file open in append mode, as the launcher's shell does with >>.
        var start = new System.Diagnostics.ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec >>\"$0\"; exec cat");
        start.ArgumentList.Add(log);
        using var writer = System.Diagnostics.Process.Start(start)!;
        try
        {
            for (var round = 1; round <= ConsoleLog.KeepFiles + 2; round++)
            {
                var line = new string('x', 2000) + $" round {round}";
                writer.StandardInput.WriteLine(line);
                writer.StandardInput.Flush();
                WaitFor(() => File.ReadAllText(log).EndsWith(line + "\n", StringComparison.Ordinal));
                Assert.True(ConsoleLog.RotateIfLarger(log, maxBytes: 1000));
                Assert.Equal(0, new FileInfo(log).Length);
            }
            Assert.False(ConsoleLog.RotateIfLarger(log, maxBytes: 1000));
            writer.StandardInput.WriteLine("after");
            writer.StandardInput.Flush();
            WaitFor(() => File.ReadAllText(log) == "after\n");
            Assert.EndsWith($"round {ConsoleLog.KeepFiles + 2}\n", File.ReadAllText(ConsoleLog.Numbered(log, 1)));
            Assert.EndsWith("round 3\n", File.ReadAllText(ConsoleLog.Numbered(log, ConsoleLog.KeepFiles)));
            Assert.False(File.Exists(ConsoleLog.Numbered(log, ConsoleLog.KeepFiles + 1)));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(ConsoleLog.Numbered(log, 1)));
        }
        finally
        {
            writer.StandardInput.Close();
            writer.WaitForExit(5000);
        }
    }

    private static void WaitFor(Func<bool> condition)
    {
        for (var attempt = 0; attempt < 200 && !condition(); attempt++)
        {
            Thread.Sleep(25);
        }
        Assert.True(condition());
    }
}
