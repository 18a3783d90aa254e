using WorkflowAutomation.Daemon;

namespace WorkflowAutomation.Tests.Daemon;

public sealed class InstanceLockTests
{
    [Fact]
    public void A_second_lock_on_the_same_state_directory_is_refused_naming_the_holder()
    {
        using var temp = new TempFolder();
        var paths = new DaemonPaths(temp.State);
        using (InstanceLock.Acquire(paths))
        {
            Assert.True(InstanceLock.IsHeld(paths));
            var refused = Assert.Throws<DaemonAlreadyRunningException>(() => InstanceLock.Acquire(paths));
            Assert.Equal(Environment.ProcessId, refused.ProcessId);
            Assert.Equal("DaemonAlreadyRunning", refused.ErrorId);
            Assert.Contains($"process {Environment.ProcessId}", refused.Message);
        }
        Assert.False(InstanceLock.IsHeld(paths));
        Assert.False(File.Exists(paths.PidFile));
        using var again = InstanceLock.Acquire(paths);
        Assert.Equal(Environment.ProcessId, DaemonPaths.ReadPid(paths.PidFile));
    }

    [Fact]
    public void The_token_is_created_once_owner_only_and_compared_exactly()
    {
        using var temp = new TempFolder();
        var paths = new DaemonPaths(temp.State);
        var token = DaemonToken.EnsureCreated(paths);
        Assert.Equal(64, token.Length);
        Assert.Equal(token, DaemonToken.EnsureCreated(paths));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(paths.TokenFile));
        }
        Assert.True(DaemonToken.Matches(token, token));
        Assert.False(DaemonToken.Matches(token, token[..^1] + "x"));
        Assert.False(DaemonToken.Matches(token, null));
    }
}
