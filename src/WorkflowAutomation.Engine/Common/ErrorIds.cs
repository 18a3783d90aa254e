namespace WorkflowAutomation.Common;

/// <summary>
/// Every ErrorId the module reports, one per failure, so scripts can match on them and two
/// names never mean the same thing. The PowerShell error record carries the id as is.
/// </summary>
public static class ErrorIds
{
    // Workflows
    public const string WorkflowYamlInvalid = nameof(WorkflowYamlInvalid);
    public const string WorkflowExpressionInvalid = nameof(WorkflowExpressionInvalid);
    public const string WorkflowInputInvalid = nameof(WorkflowInputInvalid);
    public const string WorkflowApprovalRequired = nameof(WorkflowApprovalRequired);
    public const string WorkflowApprovalDenied = nameof(WorkflowApprovalDenied);
    public const string WorkflowRunFailed = nameof(WorkflowRunFailed);
    public const string WorkflowRunCancelled = nameof(WorkflowRunCancelled);
    public const string WorkflowRunInterrupted = nameof(WorkflowRunInterrupted);
    public const string PathNotFound = nameof(PathNotFound);
    public const string WorkingDirectoryNotFound = nameof(WorkingDirectoryNotFound);

    // Runs
    public const string RunNotFound = nameof(RunNotFound);
    public const string RunNotActive = nameof(RunNotActive);
    public const string WaitTimeout = nameof(WaitTimeout);
    public const string ApprovalNotPending = nameof(ApprovalNotPending);
    public const string ProcessStartFailed = nameof(ProcessStartFailed);

    // Configuration and state
    public const string ConfigurationKeyUnknown = nameof(ConfigurationKeyUnknown);
    public const string ConfigurationValueInvalid = nameof(ConfigurationValueInvalid);
    public const string StateDirectoryInsecure = nameof(StateDirectoryInsecure);
    public const string StateDirectoryUnavailable = nameof(StateDirectoryUnavailable);

    // Daemon
    public const string DaemonAlreadyRunning = nameof(DaemonAlreadyRunning);
    public const string DaemonNotRunning = nameof(DaemonNotRunning);
    public const string DaemonProtocolError = nameof(DaemonProtocolError);
    public const string DaemonRequestFailed = nameof(DaemonRequestFailed);
    public const string DaemonRequestInvalid = nameof(DaemonRequestInvalid);
    public const string DaemonStartFailed = nameof(DaemonStartFailed);
    public const string DaemonStopping = nameof(DaemonStopping);
    public const string DaemonTimeout = nameof(DaemonTimeout);
    public const string DaemonUnknownOperation = nameof(DaemonUnknownOperation);
    public const string CircuitBreakerNotFound = nameof(CircuitBreakerNotFound);
    public const string ScheduleInvalid = nameof(ScheduleInvalid);
    public const string ScheduleMissing = nameof(ScheduleMissing);
    public const string ScheduleNotFound = nameof(ScheduleNotFound);
    public const string DaemonBusy = nameof(DaemonBusy);
    public const string DaemonRequestTooLarge = nameof(DaemonRequestTooLarge);
    public const string DaemonTokenInvalid = nameof(DaemonTokenInvalid);
    public const string DaemonTokenRequired = nameof(DaemonTokenRequired);

    // Metrics
    public const string MetricCardinalityExceeded = nameof(MetricCardinalityExceeded);
    public const string MetricInboxFileInvalid = nameof(MetricInboxFileInvalid);
    public const string MetricNameInvalid = nameof(MetricNameInvalid);
    public const string MetricNotFound = nameof(MetricNotFound);
    public const string MetricQueryInvalid = nameof(MetricQueryInvalid);
    public const string MetricResolutionInvalid = nameof(MetricResolutionInvalid);
    public const string MetricStoreUnavailable = nameof(MetricStoreUnavailable);
    public const string MetricTagInvalid = nameof(MetricTagInvalid);
    public const string MetricTypeMismatch = nameof(MetricTypeMismatch);
    public const string MetricValueInvalid = nameof(MetricValueInvalid);

    // Parallel executor
    public const string ParallelBatchLineInvalid = nameof(ParallelBatchLineInvalid);
    public const string ParallelTaskDependencyCycle = nameof(ParallelTaskDependencyCycle);
    public const string ParallelTaskDependencyUnknown = nameof(ParallelTaskDependencyUnknown);
    public const string ParallelTaskIdDuplicate = nameof(ParallelTaskIdDuplicate);
    public const string ParallelTaskInvalid = nameof(ParallelTaskInvalid);
    public const string ParallelTaskFailed = nameof(ParallelTaskFailed);

    // Dashboard
    public const string RunNotFinished = nameof(RunNotFinished);
    public const string RunRestartFailed = nameof(RunRestartFailed);
    public const string DashboardPortInUse = nameof(DashboardPortInUse);
    public const string DashboardNotRunning = nameof(DashboardNotRunning);
    public const string DashboardTokenMissing = nameof(DashboardTokenMissing);

    // Hermetic environments
    public const string HermeticAlreadyEntered = nameof(HermeticAlreadyEntered);
    public const string HermeticCommandFailed = nameof(HermeticCommandFailed);
    public const string HermeticEnvironmentExists = nameof(HermeticEnvironmentExists);
    public const string HermeticEnvironmentNotFound = nameof(HermeticEnvironmentNotFound);
    public const string HermeticEnvironmentNotInstalled = nameof(HermeticEnvironmentNotInstalled);
    public const string HermeticIntegrityMismatch = nameof(HermeticIntegrityMismatch);
    public const string HermeticLockFormatNewer = nameof(HermeticLockFormatNewer);
    public const string HermeticLockInvalid = nameof(HermeticLockInvalid);
    public const string HermeticLockNotFound = nameof(HermeticLockNotFound);
    public const string HermeticLockOutOfDate = nameof(HermeticLockOutOfDate);
    public const string HermeticManagerFailed = nameof(HermeticManagerFailed);
    public const string HermeticManifestInvalid = nameof(HermeticManifestInvalid);
    public const string HermeticManifestNameMismatch = nameof(HermeticManifestNameMismatch);
    public const string HermeticManifestNotFound = nameof(HermeticManifestNotFound);
    public const string HermeticNameInvalid = nameof(HermeticNameInvalid);
    public const string HermeticNotEntered = nameof(HermeticNotEntered);
    public const string HermeticPackageNameMissing = nameof(HermeticPackageNameMissing);
    public const string HermeticPackageUnsafe = nameof(HermeticPackageUnsafe);
    public const string HermeticPipNotWheel = nameof(HermeticPipNotWheel);
    public const string HermeticSandboxUnavailable = nameof(HermeticSandboxUnavailable);
    public const string HermeticToolMissing = nameof(HermeticToolMissing);

    // Failures without an engine exception
    public const string AccessDenied = nameof(AccessDenied);
    public const string IOFailed = nameof(IOFailed);
    public const string OperationStopped = nameof(OperationStopped);
    public const string InvalidArgument = nameof(InvalidArgument);
    public const string OperationTimeout = nameof(OperationTimeout);
    public const string UnexpectedError = nameof(UnexpectedError);

    // Chaos
    public const string ChaosDisabled = nameof(ChaosDisabled);
    public const string ChaosTestFailed = nameof(ChaosTestFailed);
    public const string ChaosTargetNotFound = nameof(ChaosTargetNotFound);
    public const string ChaosInvalidArgument = nameof(ChaosInvalidArgument);
    public const string ChaosMissingArgument = nameof(ChaosMissingArgument);
    public const string ChaosInvalidSelector = nameof(ChaosInvalidSelector);
    public const string ChaosInvalidTarget = nameof(ChaosInvalidTarget);
    public const string ChaosPortUnavailable = nameof(ChaosPortUnavailable);
    public const string ChaosExperimentInvalid = nameof(ChaosExperimentInvalid);
    public const string ChaosResultNotFound = nameof(ChaosResultNotFound);
    public const string ChaosReportAssetsMissing = nameof(ChaosReportAssetsMissing);
    public const string ChaosProfileInvalid = nameof(ChaosProfileInvalid);
    public const string ChaosToolMissing = nameof(ChaosToolMissing);
}
