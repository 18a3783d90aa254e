using WorkflowAutomation.Common;
using WorkflowAutomation.Configuration;
using WorkflowAutomation.Daemon;
using WorkflowAutomation.Daemon.Ipc;
using WorkflowAutomation.Platform;
using WorkflowAutomation.State;
using WorkflowAutomation.Workflows;

namespace WorkflowAutomation.Tests.Daemon.Ipc;

/// <summary>A client may send its next requests before the answers come: they come back in order, each its own.</summary>
public sealed class IpcPipeliningTests
{
    private static DaemonHost Host(TempFolder temp, IpcServerOptions? ipc = null, params (string Key, string Value)[] settings) =>
        new(temp.State, new DaemonHostOptions
        {
            Mode = DaemonMode.Job,
            GracePeriod = TimeSpan.FromSeconds(5),
            Ipc = ipc ?? new IpcServerOptions(),
            Configuration = WorkflowConfiguration.Load(temp.State, new DictionaryEnvironment(settings.ToDictionary(s => s.Key, s => s.Value))),
        });

    private static string Workflow(TempFolder temp, string name, string command = "'true'") => temp.File(name + ".yaml", $"""
        name: {name}
        steps:
          - name: one
            shell: sh
            command: {command}
        """);

    private static void Post(DaemonClient client, string file) =>
        client.Post(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) });

    [Fact]
    public async Task Submits_sent_without_waiting_are_answered_in_order_and_a_bad_one_in_the_middle_is_refused_alone()
    {
        using var temp = new TempFolder();
        // One run at a time, the first held, so that the queue order can be read before anything finishes.
        await using var host = Host(temp, settings: ("MAX_PARALLEL_WORKFLOWS", "1"));
        await host.StartAsync();
        var gate = Path.Combine(temp.Path, "go");
        var files = Enumerable.Range(0, 30).Select(index => index == 15
            ? temp.File("broken.yaml", "name: broken\nsteps:\n  - name: one\n    shell: sh\n    command: [unclosed\n")
            : Workflow(temp, $"w{index:d2}", index == 0 ? $"'while [ ! -f {gate} ]; do sleep 0.05; done'" : "'true'")).ToList();

        using var client = DaemonClient.Connect(temp.State);
        files.ForEach(file => Post(client, file));
        Assert.Equal(30, client.Outstanding);
        var answers = files.Select(_ => client.Receive<WorkflowRun>()).ToList();

        var bad = answers[15].Error;
        Assert.NotNull(bad);
        Assert.Equal(ErrorIds.WorkflowYamlInvalid, bad.ErrorId);
        Assert.Contains("broken.yaml", bad.Message);
        var runs = answers.Where((_, index) => index != 15).Select(answer => answer.Value!).ToList();
        Assert.All(answers.Where((_, index) => index != 15), answer => Assert.Null(answer.Error));
        Assert.Equal(files.Where((_, index) => index != 15).Select(Path.GetFileNameWithoutExtension), runs.Select(run => run.Name));
        Assert.Equal(29, runs.Select(run => run.Id).Distinct().Count());
        // Acknowledged means on disk: every run is in runs.db for any other process to read,
        // and the queue holds them in the order they were sent (the first one is running, held).
        using (var store = SqliteRunStore.Open(temp.State))
        {
            Assert.All(runs, run => Assert.NotNull(store.GetRun(run.Id)));
        }
        for (var attempt = 0; attempt < 400 && !host.Dispatcher.Running.Contains(runs[0].Id); attempt++)
        {
            Thread.Sleep(25);
        }
        Assert.Equal(runs.Skip(1).Select(run => run.Id), host.Queue.List(QueueState.Queued).Select(entry => entry.RunId));

        File.WriteAllText(gate, "");
        foreach (var run in runs)
        {
            Assert.True(await host.Dispatcher.WaitAsync(run.Id, TimeSpan.FromSeconds(30), CancellationToken.None), $"run {run.Name} did not end");
        }
    }

    [Fact]
    public async Task Submits_that_arrive_while_a_group_commits_share_the_next_commit()
    {
        using var temp = new TempFolder();
        await using var host = Host(temp);
        await host.StartAsync();
        var file = Workflow(temp, "shared");
        using var client = DaemonClient.Connect(temp.State);
        var groupsBefore = host.Admissions.Groups;
        // The hold keeps two pool threads waiting (the commit and the dispatcher): enough others
        // must be there for the connection's reader to go on reading meanwhile.
        ThreadPool.GetMinThreads(out var workers, out var completions);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), completions);
        using var release = new ManualResetEventSlim();
        using var held = new ManualResetEventSlim();
        // Holds what a commit needs (no run taken from the queue meanwhile) while the submits arrive.
        var holding = Task.Run(() => host.Dispatcher.Admit(() =>
        {
            held.Set();
            return release.Wait(TimeSpan.FromSeconds(30));
        }));
        Assert.True(held.Wait(TimeSpan.FromSeconds(10)));
        for (var index = 0; index < 20; index++)
        {
            Post(client, file);
        }
        // The first group (what had arrived when it began) waits for the hold; the rest gather behind it.
        for (var attempt = 0; attempt < 400 && host.Admissions.Unacknowledged < 20; attempt++)
        {
            Thread.Sleep(25);
        }
        Assert.Equal(20, host.Admissions.Unacknowledged);
        release.Set();
        Assert.True(await holding);
        var answers = Enumerable.Range(0, 20).Select(_ => client.Receive<WorkflowRun>()).ToList();
        Assert.All(answers, answer => Assert.Null(answer.Error));
        Assert.Equal(20, answers.Select(answer => answer.Value!.Id).Distinct().Count());
        // Twenty submits in one or two commits: the first group may have begun before any of the
        // others arrived, or after all of them.
        Assert.InRange(host.Admissions.Groups, groupsBefore + 1, groupsBefore + 2);
    }

    [Fact]
    public async Task A_connection_waiting_for_an_answer_is_not_closed_as_idle()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var temp = new TempFolder();
        await using var host = Host(temp, new IpcServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await host.StartAsync();
        var file = Workflow(temp, "nap", "sleep 1.5");
        using var client = DaemonClient.Connect(temp.State);
        var run = client.Send<WorkflowRun>(DaemonOperations.Submit, new SubmitRequest { Path = file, Yaml = File.ReadAllText(file) })!;
        // Nothing is sent for five idle timeouts while the daemon works on the answer.
        var waited = client.Send<WaitResponse>(DaemonOperations.Wait, new RunRequestBody { RunId = run.Id, TimeoutSeconds = 30 })!;
        Assert.True(waited.Ended);
        Assert.Equal(RunStatus.Succeeded, waited.Run!.Status);
    }
}
