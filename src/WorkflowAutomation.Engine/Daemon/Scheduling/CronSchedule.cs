using Cronos;
using WorkflowAutomation.Common;

namespace WorkflowAutomation.Daemon;

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
            throw new WorkflowAutomationException(ErrorIds.ScheduleInvalid, ErrorKind.InvalidData,
                $"'{text}' is not a valid cron expression: {exception.Message} Use five fields (minute hour day month weekday), or six with seconds first.", exception);
        }
    }

    public static TimeZoneInfo Zone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc
        : TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone
        : throw new WorkflowAutomationException(ErrorIds.ScheduleInvalid, ErrorKind.InvalidData, $"'{id}' is not a time zone known on this machine.");

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
