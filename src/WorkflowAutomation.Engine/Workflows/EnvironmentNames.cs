using System.Text;

namespace WorkflowAutomation.Workflows;

/// <summary>
/// How step and input names become parts of environment variable and file names
/// (INPUT_&lt;NAME&gt;, STEPS_&lt;STEP&gt;_OUTPUTS_&lt;KEY&gt;, the step's output file). One rule
/// for the run and for validation, which refuses two names that would end up the same.
/// </summary>
public static class EnvironmentNames
{
    /// <summary>The name with every character other than an ASCII letter or digit made '_'.</summary>
    public static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        return builder.ToString();
    }

    /// <summary>The part a name contributes to an environment variable: sanitized, upper case.</summary>
    public static string Variable(string name) => Sanitize(name).ToUpperInvariant();

    /// <summary>The variable a step reads an input from: INPUT_WHO for 'who'.</summary>
    public static string Input(string name) => "INPUT_" + Variable(name);

    /// <summary>The variable a step reads another step's output from: STEPS_BUILD_OUTPUTS_VERSION.</summary>
    public static string StepOutput(string step, string key) => $"STEPS_{Variable(step)}_OUTPUTS_{Variable(key)}";
}
