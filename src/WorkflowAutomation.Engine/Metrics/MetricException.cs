using WorkflowAutomation.Common;

namespace WorkflowAutomation.Metrics;

/// <summary>A metric that cannot be recorded or a query that cannot be answered, with a stable ErrorId.</summary>
public sealed class MetricException(string errorId, ErrorKind kind, string message, Exception? inner = null)
    : WorkflowAutomationException(errorId, kind, message, inner);
