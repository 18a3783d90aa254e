namespace WorkflowAutomation.Daemon;

/// <summary>Starting and stopping the daemon's components (see <see cref="IDaemonComponent"/>).</summary>
public sealed partial class DaemonHost
{
    private readonly List<IDaemonComponent> startedComponents = [];

    private async Task StartComponentsAsync(CancellationToken cancellation)
    {
        foreach (var component in options.Components)
        {
            startedComponents.Add(component);
            try
            {
                await component.StartAsync(this, cancellation).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A component that cannot start degrades the daemon; it does not stop it.
                Log.Error($"{component.Name} did not start: {exception.Message}");
            }
        }
    }

    private async Task StopComponentsAsync()
    {
        List<IDaemonComponent> stopping;
        lock (startedComponents)
        {
            stopping = [.. startedComponents];
            startedComponents.Clear();
        }
        foreach (var component in Enumerable.Reverse(stopping))
        {
            try
            {
                await component.StopAsync().ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                Log.Error($"{component.Name} did not stop cleanly: {exception.Message}");
            }
        }
    }
}
