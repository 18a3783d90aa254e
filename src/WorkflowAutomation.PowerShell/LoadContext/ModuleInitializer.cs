using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.PowerShell.LoadContext;

/// <summary>Runs on every Import-Module (once per runspace); what it installs is process-wide and idempotent.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private static int typesRegistered;

    public void OnImport()
    {
        DependencyLoadContext.Install();
        if (Interlocked.Exchange(ref typesRegistered, 1) == 0)
        {
            RegisterEngineTypes(EngineAssembly());
        }
    }

    // Kept out of OnImport: the JIT would resolve the engine while compiling OnImport, before
    // the load context that finds it is installed.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Assembly EngineAssembly() => typeof(WorkflowAutomationException).Assembly;

    /// <summary>
    /// PowerShell resolves type literals only from the default load context, so
    /// [WorkflowAutomation.Workflows.WorkflowRun] would not be found for an engine that lives
    /// in its own context. Registering each public engine type under its full name makes
    /// type literals, -is and casts work as users expect; no short names are added.
    /// </summary>
    private static void RegisterEngineTypes(Assembly engine)
    {
        var accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");
        var add = accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(Type)]);
        if (add is null)
        {
            return;
        }
        foreach (var type in engine.GetExportedTypes())
        {
            if (type.FullName is { } name && !type.IsNested)
            {
                add.Invoke(null, [name, type]);
            }
        }
    }
}
