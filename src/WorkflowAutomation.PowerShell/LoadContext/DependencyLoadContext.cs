using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace WorkflowAutomation.PowerShell.LoadContext;

/// <summary>
/// Loads the engine and its third-party dependencies (YamlDotNet, Polly, SQLite …) from the
/// module's <c>Dependencies</c> folder into a context of their own, so another module that
/// ships a different version of any of them cannot break this one, nor be broken by it.
/// Only the engine is handed to the default context (the bridge); everything it references
/// resolves here first.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private const string EngineAssemblyName = "WorkflowAutomation.Engine";
    private static readonly object Gate = new();
    private static DependencyLoadContext? instance;

    private readonly string dependencyFolder;

    private DependencyLoadContext(string dependencyFolder)
        : base("WorkflowAutomation", isCollectible: false)
    {
        this.dependencyFolder = dependencyFolder;
    }

    /// <summary>Hooks the default context once per process; later imports find it in place.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (instance is not null)
            {
                return;
            }
            var moduleFolder = Path.GetDirectoryName(typeof(DependencyLoadContext).Assembly.Location)!;
            instance = new DependencyLoadContext(Path.Combine(moduleFolder, "Dependencies"));
            Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssemblyName ? instance!.LoadFromAssemblyName(name) : null;

    protected override Assembly? Load(AssemblyName name)
    {
        var path = Path.Combine(dependencyFolder, name.Name + ".dll");
        // What we do not ship (the framework, PowerShell itself) comes from the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        // pwsh never probes <module>/runtimes/<rid>/native, so native SQLite is found here.
        var path = Path.Combine(dependencyFolder, "runtimes", RuntimeId(), "native", PlatformFileName(unmanagedDllName));
        return File.Exists(path) ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
    }

    private static string RuntimeId()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            _ => "x64",
        };
        return $"{os}-{arch}";
    }

    private static string PlatformFileName(string name)
    {
        if (Path.HasExtension(name) && (name.EndsWith(".so") || name.EndsWith(".dylib") || name.EndsWith(".dll")))
        {
            return name;
        }
        return OperatingSystem.IsWindows() ? name + ".dll"
            : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib"
            : "lib" + name + ".so";
    }
}
