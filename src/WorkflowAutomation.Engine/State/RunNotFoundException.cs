namespace WorkflowAutomation.State;

/// <summary>No run has the id.</summary>
public sealed class RunNotFoundException(string id)
    : Common.WorkflowAutomationException(Common.ErrorIds.RunNotFound, Common.ErrorKind.ObjectNotFound,
        $"No run has the id '{id}'. List runs with Get-WorkflowRun (ids complete with Tab).");
