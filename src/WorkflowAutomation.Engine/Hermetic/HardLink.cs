using System.Runtime.InteropServices;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// Hard links (.NET has no API for them). Environments share cache files this way, like
/// pnpm and uv; across devices, where a link is impossible, the file is copied.
/// </summary>
internal static class HardLink
{
    /// <summary>Links <paramref name="target"/> at <paramref name="link"/>; copies when linking is not possible. True when linked.</summary>
    public static bool LinkOrCopy(string target, string link)
    {
        if (TryLink(target, link))
        {
            return true;
        }
        File.Copy(target, link, overwrite: false);
        return false;
    }

    public static bool TryLink(string target, string link) =>
        OperatingSystem.IsWindows() ? CreateHardLinkW(link, target, IntPtr.Zero) : UnixLink(target, link) == 0;

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int UnixLink([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);

    [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string created, string existing, IntPtr security);
}
