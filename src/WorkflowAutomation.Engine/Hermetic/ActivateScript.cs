using System.Text;

namespace WorkflowAutomation.Hermetic;

/// <summary>
/// The POSIX script users source (". activate"): it saves every exported variable, keeps
/// only the allow-list, exports the environment's, and defines deactivate_hermetic, which
/// puts the saved variables back exactly.
/// </summary>
internal static class ActivateScript
{
    public static string For(IsolatedEnvironment environment)
    {
        var allow = string.Join('|', IsolatedEnvironment.AllowList.Append("LC_*"));
        var builder = new StringBuilder();
        builder.Append("# Source this file: . ").Append(ToolWrappers.Quote(Path.Combine(Path.GetDirectoryName(environment.Home)!, "activate"))).Append('\n');
        builder.Append("# Leaves with: deactivate_hermetic\n");
        builder.Append("""
            if [ -n "${_HERMETIC_SAVED+x}" ]; then deactivate_hermetic; fi
            deactivate_hermetic() {
                for _hermetic_var in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p'); do
                    unset "$_hermetic_var" 2>/dev/null
                done
                eval "$_HERMETIC_SAVED"
                PS1="$_HERMETIC_OLD_PS1"
                unset _HERMETIC_SAVED _HERMETIC_OLD_PS1 _hermetic_var
                unset -f deactivate_hermetic
                hash -r 2>/dev/null
            }
            # bash prints 'declare -x', which inside deactivate_hermetic would make the variables local.
            _HERMETIC_SAVED=$(export -p | sed 's/^declare -x /export /')
            _HERMETIC_OLD_PS1="${PS1-}"
            for _hermetic_var in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p'); do
                case "$_hermetic_var" in
            """).Append('\n');
        builder.Append("        ").Append(allow).Append(") ;;\n");
        builder.Append("""
                    *) unset "$_hermetic_var" 2>/dev/null ;;
                esac
            done

            """);
        foreach (var (name, value) in environment.Variables.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (!IsolatedEnvironment.IsAllowed(name))
            {
                builder.Append("export ").Append(name).Append('=').Append(ToolWrappers.Quote(value)).Append('\n');
            }
        }
        builder.Append("PS1=\"(hermetic:").Append(environment.Name).Append(") ${PS1-}\"\n");
        builder.Append("hash -r 2>/dev/null\n");
        return builder.ToString();
    }
}
