using System.Collections;
using System.Management.Automation;
using WorkflowAutomation.Common;
using WorkflowAutomation.Facades;
using WorkflowAutomation.Metrics;
using WorkflowAutomation.PowerShell.Completers;
using WorkflowAutomation.PowerShell.Infrastructure;

namespace WorkflowAutomation.PowerShell.Commands;

/// <summary>Records metric samples in the state directory's metric store.</summary>
/// <remarks>
/// Objects from any cmdlet, Import-Csv rows and Get-WorkflowMetric output can be piped in:
/// their Name, Value, Type, Tag (or Tags) and Timestamp properties are read. A number piped
/// alone becomes the value. Samples are committed in batches and are all stored
/// when the command ends. A sample without -Timestamp is taken now. A bad sample (invalid
/// name, a negative counter, a counter name written as a gauge, too many tag combinations)
/// is reported on its own and the others are still recorded.
/// </remarks>
/// <example>
/// <code>Write-WorkflowMetric -Name app.requests -Value 1234 -Type Counter -Tag @{ env = 'prod' }</code>
/// <para>Records the current value of a counter tagged env=prod.</para>
/// </example>
/// <example>
/// <code>Get-Process pwsh | Select-Object @{ n = 'Name'; e = { 'app.pwsh.memory' } }, @{ n = 'Value'; e = { $_.WorkingSet64 } } | Write-WorkflowMetric -PassThru</code>
/// <para>Records the working set of every pwsh process and shows the samples written.</para>
/// </example>
/// <example>
/// <code>Import-Csv readings.csv | Write-WorkflowMetric</code>
/// <para>Records rows with Name, Value and optional Type, Tags and Timestamp columns.</para>
/// </example>
[Cmdlet(VerbsCommunications.Write, "WorkflowMetric", SupportsShouldProcess = true)]
[OutputType(typeof(WorkflowMetricSample))]
public sealed class WriteWorkflowMetricCommand : WorkflowCmdlet, IDisposable
{
    private MetricStore? store;
    // Engine value types stay out of fields and parameters: PowerShell lays out this class while
    // importing the module, before the engine's load context is in place.
    private SeriesCache? lastSeries;

    /// <summary>The dotted metric name, such as app.requests.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MetricNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>
    /// The value: a level for a gauge, the running total for a counter. A piped number is the
    /// value; a piped object gives its Value, Type, Tag (or Tags) and Timestamp properties.
    /// </summary>
    // One pipeline parameter, read by the cmdlet: binding Type, Tag and Timestamp by property
    // name made PowerShell look each of them up on every piped number, most of the cost of a sample.
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    public object? Value { get; set; }

    /// <summary>Gauge (a level, the default) or Counter (a total that only grows until its process restarts).</summary>
    [Parameter]
    public MetricType Type { get; set; } = MetricType.Gauge;

    /// <summary>Tags of the series, as a hashtable (@{ env = 'prod' }) or text (env=prod,host=web1).</summary>
    [Parameter]
    [Alias("Tags")]
    [MetricTagTransformation]
    public Hashtable? Tag { get; set; }

    /// <summary>When the value was taken; now when omitted.</summary>
    [Parameter]
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Writes each recorded sample to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void OnBegin() => store = new WorkflowMetrics(State, Configuration).OpenStore();

    protected override void Process()
    {
        if (!TryReadSample(out var value, out var type, out var tag, out var timestamp))
        {
            return;
        }
        var tags = tag is { Count: > 0 } ? "{" + string.Join(",", tag.Keys.Cast<object>().Select(k => $"{k}={tag[k]}")) + "}" : "";
        if (!ShouldProcess($"{Name}{tags}", $"Record {type} value {value}"))
        {
            return;
        }
        try
        {
            var series = SeriesFor(Name, type, tag);
            var at = series.Record(value, timestamp);
            if (PassThru)
            {
                WriteObject(new WorkflowMetricSample
                {
                    Name = series.Name,
                    Value = value,
                    Type = series.Type.ToString(),
                    Tags = series.Tags,
                    Timestamp = at,
                    Resolution = MetricResolution.Raw.Label(),
                });
            }
        }
        catch (MetricException exception)
        {
            WriteItemError(exception, Name);
        }
    }

    /// <summary>
    /// The sample of this pipeline item: a number (or text of one) is the value; an object's
    /// Value, Type, Tag/Tags and Timestamp properties count where the command line named none.
    /// </summary>
    private bool TryReadSample(out double value, out MetricType type, out Hashtable? tag, out DateTimeOffset? timestamp)
    {
        type = Type;
        tag = Tag;
        timestamp = Timestamp;
        var item = Value is PSObject wrapped ? wrapped.BaseObject : Value;
        object? raw = item;
        if (item is not (IConvertible or null) && Value is { } input)
        {
            var properties = PSObject.AsPSObject(input).Properties;
            raw = properties["Value"]?.Value;
            var bound = MyInvocation.BoundParameters;
            try
            {
                if (!bound.ContainsKey(nameof(Type)) && properties["Type"]?.Value is { } typeValue)
                {
                    type = LanguagePrimitives.ConvertTo<MetricType>(typeValue);
                }
                if (!bound.ContainsKey(nameof(Tag)) && (properties["Tag"] ?? properties["Tags"])?.Value is { } tagValue)
                {
                    tag = (Hashtable?)new MetricTagTransformationAttribute().Transform(null!, tagValue);
                }
                if (!bound.ContainsKey(nameof(Timestamp)) && properties["Timestamp"]?.Value is { } timeValue)
                {
                    timestamp = LanguagePrimitives.ConvertTo<DateTimeOffset>(timeValue);
                }
            }
            catch (Exception exception) when (exception is PSInvalidCastException or ArgumentTransformationMetadataException)
            {
                WriteInvalid($"A sample for '{Name}' has a Type, Tag or Timestamp that cannot be read: {exception.Message}");
                value = 0;
                return false;
            }
        }
        if (raw is null || !LanguagePrimitives.TryConvertTo(raw, out value))
        {
            WriteInvalid($"'{raw ?? "(nothing)"}' is not a number, so no sample of '{Name}' was recorded. Pipe numbers, or objects with a numeric Value property.");
            value = 0;
            return false;
        }
        return true;
    }

    private void WriteInvalid(string message) =>
        WriteItemError(new MetricException(ErrorIds.MetricValueInvalid, ErrorKind.InvalidArgument, message), Name);

    protected override void OnEnd() => store?.Writer.Flush(Cancellation);

    public void Dispose()
    {
        // Commits whatever was recorded before a Ctrl+C, too.
        store?.Dispose();
        store = null;
    }

    private MetricSeries SeriesFor(string name, MetricType type, Hashtable? tags)
    {
        // A pipeline usually repeats one series: skip the tag canonicalisation then.
        if (lastSeries is { } last && ReferenceEquals(last.Name, name) && last.Type == type && ReferenceEquals(last.Tags, tags))
        {
            return last.Series;
        }
        var series = store!.Writer.Series(name, type, MetricTagTransformationAttribute.ToTags(tags));
        lastSeries = new SeriesCache(name, type, tags, series);
        return series;
    }

    private sealed record SeriesCache(string Name, MetricType Type, Hashtable? Tags, MetricSeries Series);
}
