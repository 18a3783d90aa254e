using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace WorkflowAutomation.PowerShell.Tests;

/// <summary>An interactive host whose user answers every yes/no prompt the same way, and which remembers the prompts.</summary>
public sealed class AnsweringHost(bool answerYes) : PSHost
{
    private readonly AnsweringUserInterface ui = new(answerYes);

    public IReadOnlyList<string> Prompts => ui.Prompts;

    public override string Name => "AnsweringHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class AnsweringUserInterface(bool answerYes) : PSHostUserInterface
    {
        public List<string> Prompts { get; } = [];
        public override PSHostRawUserInterface? RawUI => null;

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            lock (Prompts)
            {
                Prompts.Add(caption + ": " + message);
            }
            var label = answerYes ? "&Yes" : "&No";
            var index = choices.ToList().FindIndex(choice => choice.Label == label);
            return index >= 0 ? index : defaultChoice;
        }

        public override string ReadLine() => string.Empty;
        public override SecureString ReadLineAsSecureString() => new();
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteErrorLine(string value) { }
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => [];
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
    }
}
