using System.Security.Cryptography;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Metrics;

/// <summary>
/// Ingests the custom-metrics JSON files that scripts drop into the state directory's
/// metrics-inbox/ (write to a temporary name, then rename to *.json). Each file is all or
/// nothing: a good file is committed in one transaction, then removed; a bad one is moved to
/// metrics-inbox/rejected/ with a .reason file beside it. The file's name and content hash are
/// committed with its samples, so a file seen again after a crash is not counted twice.
/// </summary>
public sealed class MetricsInbox(StateDirectory state, MetricsWriter writer, TimeProvider? time = null)
{
    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>Where files are dropped.</summary>
    public string Folder => state.MetricsInbox;

    /// <summary>Where bad files are kept, each with a .reason file.</summary>
    public string RejectedFolder => Path.Combine(Folder, "rejected");

    /// <summary>Ingests every *.json file now in the inbox; the daemon calls this on its interval.</summary>
    public InboxResult IngestPending(CancellationToken cancellationToken = default)
    {
        var result = new InboxResult();
        if (!Directory.Exists(Folder))
        {
            return result;
        }
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            IngestFile(file, result, cancellationToken);
        }
        return result;
    }

    private void IngestFile(string file, InboxResult result, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(file);
        }
        catch (IOException)
        {
            // Still being written or held by its producer: next time.
            result.Deferred.Add(file);
            return;
        }
        var key = Path.GetFileName(file) + ":" + Convert.ToHexString(SHA256.HashData(content));
        List<(MetricSeries, double, DateTimeOffset?)> samples;
        Task<bool> committed;
        try
        {
            samples = InboxFileParser.Parse(content)
                .Select(e => (writer.Series(e.Name, e.Type, e.Tags), e.Value, e.Timestamp))
                .ToList();
            // Every sample is checked before any is queued: the file goes in whole or not at all.
            committed = writer.WriteBatchAsync(samples, key, cancellationToken);
        }
        catch (MetricException exception)
        {
            result.Rejected.Add(Reject(file, exception.Message));
            return;
        }
        try
        {
            committed.GetAwaiter().GetResult();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The store failed (a full disk, a locked file), not the file: keep it for the next pass.
            result.Deferred.Add(file);
            result.Errors.Add($"{Path.GetFileName(file)}: {exception.Message}");
            return;
        }
        File.Delete(file);
        result.FilesIngested++;
        result.SamplesIngested += samples.Count;
    }

    private RejectedInboxFile Reject(string file, string reason)
    {
        OwnerOnly.CreateDirectory(RejectedFolder);
        var name = Path.GetFileName(file);
        var target = Path.Combine(RejectedFolder, name);
        if (File.Exists(target))
        {
            target = Path.Combine(RejectedFolder, $"{Path.GetFileNameWithoutExtension(name)}.{time.GetUtcNow():yyyyMMddHHmmssfff}{Path.GetExtension(name)}");
        }
        var message = $"{name}: {reason}";
        // The reason first, so a crash between the two steps leaves the file in the inbox, not unexplained.
        OwnerOnly.WriteAllText(target + ".reason", message + Environment.NewLine);
        File.Move(file, target);
        return new RejectedInboxFile { File = name, MovedTo = target, Reason = message };
    }
}

/// <summary>What one pass over the inbox did.</summary>
public sealed class InboxResult
{
    public int FilesIngested { get; set; }

    public int SamplesIngested { get; set; }

    public List<RejectedInboxFile> Rejected { get; } = [];

    /// <summary>Files left in place for the next pass (unreadable now, or the store failed).</summary>
    public List<string> Deferred { get; } = [];

    public List<string> Errors { get; } = [];
}

/// <summary>A file moved aside, where to, and why.</summary>
public sealed class RejectedInboxFile
{
    public string File { get; init; } = string.Empty;

    public string MovedTo { get; init; } = string.Empty;

    public string Reason { get; init; } = string.Empty;
}
