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

    /// <summary>The largest file ingested; larger ones are rejected. The default value is 8 MiB.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    public const long DefaultMaxFileBytes = 8 * 1024 * 1024;

    /// <summary>The file being read now, if any (the health check names it when a pass stalls).</summary>
    public string? CurrentFile { get; private set; }

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
        CurrentFile = file;
        try
        {
            IngestRegularFile(file, result, cancellationToken);
        }
        finally
        {
            CurrentFile = null;
        }
    }

    private void IngestRegularFile(string file, InboxResult result, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            if (Unreadable(new FileInfo(file)) is { } reason)
            {
                result.Rejected.Add(Reject(file, reason));
                return;
            }
            content = ReadCapped(file);
        }
        catch (FileTooLargeException tooLarge)
        {
            result.Rejected.Add(Reject(file, tooLarge.Message));
            return;
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

    /// <summary>
    /// Why a file is not even opened: a FIFO, socket or device would block the reader or never
    /// end (they show a size of 0, as an empty file does, which holds no metrics either), a link
    /// may point anywhere, and a huge file would be read again on every pass.
    /// </summary>
    private string? Unreadable(FileInfo info)
    {
        if (info.LinkTarget is not null)
        {
            return "it is a symbolic link; the inbox reads regular files only. Write the file itself (to a temporary name, then rename it to *.json).";
        }
        if (info.Length == 0)
        {
            return "it is empty, or not a regular file (a FIFO, socket or device). Write a regular file with a JSON array (to a temporary name, then rename it to *.json).";
        }
        return info.Length > MaxFileBytes ? TooLarge(info.Length) : null;
    }

    /// <summary>Reads at most one byte past the limit, so a file that grows while it is read cannot exhaust memory.</summary>
    private byte[] ReadCapped(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
        var content = new MemoryStream();
        var buffer = new byte[81920];
        int count;
        while ((count = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, MaxFileBytes + 1 - content.Length))) > 0)
        {
            content.Write(buffer, 0, count);
            if (content.Length > MaxFileBytes)
            {
                throw new FileTooLargeException(TooLarge(content.Length));
            }
        }
        return content.ToArray();
    }

    private string TooLarge(long bytes) =>
        $"it has {(bytes > MaxFileBytes + 1 ? bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more than " + MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture))} bytes; " +
        $"the inbox takes files up to {MaxFileBytes} bytes. Split the samples into several files.";

    private sealed class FileTooLargeException(string message) : Exception(message);

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
        // The producer's mode (often 0644) must not carry over into the owner-only state directory.
        OwnerOnly.RestrictFile(target);
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
