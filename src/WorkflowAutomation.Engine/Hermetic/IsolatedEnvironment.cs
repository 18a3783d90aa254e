using WorkflowAutomation.Platform;
namespace WorkflowAutomation.Hermetic;

/// <summary>
/// The complete set of environment variables a command sees inside an environment: an
/// allow-list from the host, HOME, TMPDIR and every manager's cache and config inside the
/// environment, and a PATH with the environment's wrappers and tools first, then a minimal
/// system path. Nothing else passes.
/// </summary>
public sealed class IsolatedEnvironment
{
    /// <summary>Host variables that pass into an environment (locale, terminal, proxies, trusted certificates).</summary>
    public static readonly string[] AllowList =
    [
        "LANG", "LANGUAGE", "TERM", "TZ", "USER", "LOGNAME", "COLORTERM", "NO_COLOR",
        "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
        "SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO",
        "PIP_CERT", "NUGET_CERT_REVOCATION_MODE", "WORKFLOW_AUTOMATION_HOME",
    ];

    public const string NameVariable = "HERMETIC_ENVIRONMENT";

    private static readonly string[] SystemPath = OperatingSystem.IsWindows()
        ? [Environment.GetFolderPath(Environment.SpecialFolder.System), Environment.GetFolderPath(Environment.SpecialFolder.Windows)]
        : ["/usr/local/bin", "/usr/bin", "/bin"];

    private IsolatedEnvironment(string name, string tree, string home, Dictionary<string, string> variables)
    {
        Name = name;
        Tree = tree;
        Home = home;
        Variables = variables;
    }

    public string Name { get; }

    public string Tree { get; }

    public string Home { get; }

    public IReadOnlyDictionary<string, string> Variables { get; }

    public static bool IsAllowed(string variable) =>
        AllowList.Contains(variable, StringComparer.Ordinal) || variable.StartsWith("LC_", StringComparison.Ordinal);

    /// <summary>Builds the variables for an environment whose tree is at <paramref name="tree"/>.</summary>
    public static IsolatedEnvironment Build(HermeticPaths paths, string name, string tree, HostTools tools, IReadOnlyDictionary<string, string?> host)
    {
        var home = paths.Home(name);
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in host)
        {
            if (value is not null && IsAllowed(key))
            {
                variables[key] = value;
            }
        }
        var venv = Path.Combine(tree, "pip", "venv");
        var binFolder = OperatingSystem.IsWindows() ? "Scripts" : "bin";
        var path = new List<string>
        {
            paths.Bin(name),
            Path.Combine(tree, "npm", "node_modules", ".bin"),
            Path.Combine(venv, binFolder),
            Path.Combine(tree, "dotnet"),
        };
        path.AddRange(SystemPath);
        variables["PATH"] = string.Join(Path.PathSeparator, path.Distinct(StringComparer.Ordinal));
        variables["HOME"] = home;
        variables["USERPROFILE"] = home;
        variables["TMPDIR"] = Path.Combine(home, "tmp");
        variables["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        variables["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        variables["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        variables["XDG_STATE_HOME"] = Path.Combine(home, ".local", "state");
        variables[NameVariable] = name;
        variables["HERMETIC_ROOT"] = tree;
        // npm: its cache, config and global prefix stay inside.
        variables["npm_config_cache"] = Path.Combine(home, ".npm");
        variables["npm_config_userconfig"] = Path.Combine(home, ".npmrc");
        variables["npm_config_globalconfig"] = Path.Combine(home, ".npmrc-global");
        variables["npm_config_prefix"] = Path.Combine(home, ".npm-global");
        variables["npm_config_update_notifier"] = "false";
        variables["NODE_PATH"] = Path.Combine(tree, "npm", "node_modules");
        // pip and python: no user site, no host config, no bytecode written into shared trees.
        variables["PIP_CACHE_DIR"] = Path.Combine(home, ".cache", "pip");
        variables["PIP_CONFIG_FILE"] = Path.Combine(home, ".config", "pip", "pip.conf");
        variables["PIP_DISABLE_PIP_VERSION_CHECK"] = "1";
        variables["PYTHONNOUSERBASE"] = "1";
        variables["PYTHONDONTWRITEBYTECODE"] = "1";
        if (Directory.Exists(venv))
        {
            variables["VIRTUAL_ENV"] = venv;
        }
        // dotnet: its home and NuGet folders inside; DOTNET_ROOT so tool apphosts find the runtime.
        variables["DOTNET_CLI_HOME"] = home;
        variables["NUGET_PACKAGES"] = Path.Combine(home, ".nuget", "packages");
        variables["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        variables["DOTNET_NOLOGO"] = "1";
        variables["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        if (tools.Dotnet is { } dotnet)
        {
            variables["DOTNET_ROOT"] = Path.GetDirectoryName(ResolveLink(dotnet))!;
        }
        // PowerShell: the environment's modules, then the ones that ship with pwsh.
        var modules = new List<string> { Path.Combine(tree, "psmodule") };
        if (tools.Pwsh is { } pwsh)
        {
            modules.Add(Path.Combine(Path.GetDirectoryName(ResolveLink(pwsh))!, "Modules"));
        }
        variables["PSModulePath"] = string.Join(Path.PathSeparator, modules);
        // git: no system or user configuration from the host.
        variables["GIT_CONFIG_NOSYSTEM"] = "1";
        variables["GIT_CONFIG_GLOBAL"] = Path.Combine(home, ".gitconfig");
        return new IsolatedEnvironment(name, tree, home, variables);
    }

    /// <summary>The host's variables now, for the allow-list.</summary>
    public static IReadOnlyDictionary<string, string?> CurrentHost()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = (string?)entry.Value;
        }
        return result;
    }

    /// <summary>Creates HOME and TMPDIR, owner-only.</summary>
    public void EnsureHome()
    {
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(Home)!);
        OwnerOnly.CreateDirectory(Home);
        OwnerOnly.CreateDirectory(Variables["TMPDIR"]);
    }

    /// <summary>Creates HOME and TMPDIR (owner-only), the tool wrappers and the POSIX activate script.</summary>
    public void Prepare(HermeticPaths paths, HostTools tools)
    {
        EnsureHome();
        var bin = paths.Bin(Name);
        Directory.CreateDirectory(bin);
        ToolWrappers.Write(bin, Tree, tools);
        OwnerOnly.WriteAllText(paths.Activate(Name), ActivateScript.For(this));
    }

    private static string ResolveLink(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
