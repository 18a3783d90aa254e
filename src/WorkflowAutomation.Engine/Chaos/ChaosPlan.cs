using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// A chaos test ready to run: one fault, the suite, or a declared experiment. It knows what
/// it would touch (for -WhatIf and the confirmation prompt) before anything is touched.
/// </summary>
public sealed class ChaosPlan
{
    private readonly Func<Action<ChaosProgress>, CancellationToken, Task<ChaosResult>> run;

    private readonly StateDirectory state;

    private ChaosPlan(StateDirectory state, string name, IReadOnlyList<string> touches, Func<Action<ChaosProgress>, CancellationToken, Task<ChaosResult>> run)
    {
        this.state = state;
        Name = name;
        Touches = touches;
        this.run = run;
    }

    public string Name { get; }

    /// <summary>Exactly what would be touched, one line each.</summary>
    public IReadOnlyList<string> Touches { get; }

    /// <summary>Builds the plan; checks CHAOS_ENABLED and the options, touches nothing.</summary>
    public static ChaosPlan Create(string? experimentPath, ChaosFaultOptions options, StateDirectory state, WorkflowConfiguration configuration,
        TimeProvider? time = null, ChaosSuiteOptions? suiteOptions = null)
    {
        ChaosSafety.RequireEnabled(configuration);
        time ??= TimeProvider.System;
        if (options.Type == ChaosFaultType.Suite && experimentPath is null)
        {
            var suite = new ChaosSuite(state, configuration, suiteOptions ?? throw new ChaosException(ErrorIds.ChaosMissingArgument, ErrorKind.InvalidArgument,
                "The suite needs to know how to start this module's daemon (its pwsh and manifest)."), time);
            return new ChaosPlan(state, suite.Name, suite.Plan(), suite.RunAsync);
        }
        if (experimentPath is not null)
        {
            var experiment = ExperimentReader.Load(experimentPath);
            var experimentRunner = new ExperimentRunner(state, configuration, time);
            return new ChaosPlan(state, experiment.Title, experimentRunner.Plan(experiment, options), (progress, token) => experimentRunner.RunAsync(experiment, progress, token));
        }
        var fault = ChaosFaults.Create(options, state);
        return new ChaosPlan(state, fault.Name, fault.Plan(), (progress, token) =>
            new ChaosRunner(new ChaosRunnerOptions { State = state, Configuration = configuration, Time = time, Progress = progress })
                .RunAsync(fault, options.Duration, token));
    }

    /// <summary>Runs the test, then writes the HTML report when a path is given.</summary>
    public async Task<ChaosResult> RunAsync(Action<ChaosProgress> progress, string? reportPath, CancellationToken cancellationToken)
    {
        var result = await run(progress, cancellationToken).ConfigureAwait(false);
        if (reportPath is not null)
        {
            ChaosReportWriter.Write(result, reportPath);
            result.ReportPath = Path.GetFullPath(reportPath);
            using var store = ChaosStore.Open(state);
            store.Save(result);
        }
        return result;
    }
}
