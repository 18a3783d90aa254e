using System.Text.RegularExpressions;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Hermetic;

/// <summary>Environment names become folder names: letters, digits, '.', '_' and '-' only.</summary>
public static partial class HermeticNames
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new HermeticException(ErrorIds.HermeticNameInvalid, ErrorKind.InvalidArgument,
                $"'{name}' is not a valid environment name. Use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }
    }
}
