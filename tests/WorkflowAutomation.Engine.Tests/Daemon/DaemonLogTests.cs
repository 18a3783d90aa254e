using Microsoft.Extensions.Time.Testing;
using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class DaemonLogTests
{
    [Fact]
    public void Rotates_at_the_size_limit_and_keeps_only_the_newest_files()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "daemon.log");
        using (var log = new DaemonLog(path, new FakeTimeProvider(), maxBytes: 1000, keepFiles: 3))
        {
            for (var index = 0; index < 200; index++)
            {
                log.Info($"line {index:000} " + new string('x', 40));
            }
        }
        var files = Directory.GetFiles(temp.Path, "daemon*.log").Select(file => Path.GetFileName(file)!).Order().ToArray();
        Assert.Equal(["daemon.1.log", "daemon.2.log", "daemon.3.log", "daemon.log"], files);
        Assert.All(files, name => Assert.True(new FileInfo(Path.Combine(temp.Path, name)).Length <= 1000));
        Assert.Contains("line 199", File.ReadAllText(path));
        Assert.DoesNotContain("line 000", string.Concat(files.Select(name => File.ReadAllText(Path.Combine(temp.Path, name)))));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }
}
