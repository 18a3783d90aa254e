using Cronos;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

/// <summary>A registered cron schedule, as Get-WorkflowSchedule shows it.</summary>
public sealed class WorkflowSchedule
{
    /// <summary>The workflow's name (one schedule per workflow).</summary>
    public required string Name { get; init; }
    /// <summary>The workflow file, read again at each run.</summary>
    public required string Path { get; init; }
    public required string Cron { get; init; }
    /// <summary>IANA or Windows time-zone id the cron is read in; UTC when null.</summary>
    public string? TimeZone { get; init; }
    public DateTimeOffset RegisteredAt { get; init; }
    /// <summary>The last occurrence that was run (or skipped as already run).</summary>
    public DateTimeOffset? LastRunAt { get; init; }
    /// <summary>The next occurrence after the last one run.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    public override string ToString() => $"{Name} {Cron}";
}

/// <summary>Cron arithmetic (Cronos): five fields, or six with seconds, in a time zone.</summary>
public static class CronSchedule
{
    public static CronExpression Parse(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException exception)
        {
            throw new WorkflowAutomationException("ScheduleInvalid", ErrorKind.InvalidData,
                $"'{text}' is not a valid cron expression: {exception.Message} Use five fields (minute hour day month weekday), or six with seconds first.", exception);
        }
    }

    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc
        : TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
        : throw new WorkflowAutomationException("ScheduleInvalid", ErrorKind.InvalidData, $"'{id}' is not a time zone known on this machine.");

    /// <summary>The next occurrence strictly after a moment.</summary>
    public static DateTimeOffset? Next(string cron, string? zone, DateTimeOffset after) =>
        Parse(cron).GetNextOccurrence(after, Zone(zone));

    /// <summary>
    /// The latest occurrence in (after, now], or null. However many were missed while the
    /// daemon was down, the caller runs the workflow once for the latest.
    /// </summary>
    public static DateTimeOffset? LatestDue(string cron, string? zone, DateTimeOffset after, DateTimeOffset now)
    {
        var expression = Parse(cron);
        var timeZone = Zone(zone);
        DateTimeOffset? latest = null;
        var next = expression.GetNextOccurrence(after, timeZone);
        while (next is { } occurrence && occurrence <= now)
        {
            latest = occurrence;
            next = expression.GetNextOccurrence(occurrence, timeZone);
        }
        return latest;
    }
}
