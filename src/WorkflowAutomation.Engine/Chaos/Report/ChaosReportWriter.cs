using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using WorkflowAutomation.Platform;

namespace WorkflowAutomation.Chaos;

/// <summary>
/// Writes a result as one self-contained HTML file: verdict, the hypothesis before and after,
/// a timeline of the faults against the measured values (uPlot, inlined), what was touched
/// and reverted, and the journal of events. No request leaves the page (a strict CSP says so).
/// </summary>
public static class ChaosReportWriter
{
    public static void Write(ChaosResult result, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        OwnerOnly.WriteAllText(full, Render(result));
    }

    public static string Render(ChaosResult result)
    {
        var (script, style) = ChartAssets.Load();
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">")
            .Append("<title>Chaos report: ").Append(E(result.Name)).Append("</title><style>").Append(style).Append(Css).Append("</style></head><body>");
        var verdictClass = result.Verdict.ToString().ToLowerInvariant();
        html.Append("<header><h1>").Append(E(result.Name)).Append("</h1>")
            .Append("<p class=\"verdict ").Append(verdictClass).Append("\">").Append(result.Verdict).Append("</p>")
            .Append("<p>").Append(E(result.Message ?? string.Empty)).Append("</p>")
            .Append("<dl><dt>Id</dt><dd>").Append(E(result.Id)).Append("</dd><dt>Type</dt><dd>").Append(result.Type)
            .Append("</dd><dt>Target</dt><dd>").Append(E(result.Target)).Append("</dd><dt>Started</dt><dd>")
            .Append(result.StartTime.ToString("u", CultureInfo.InvariantCulture)).Append("</dd><dt>Duration</dt><dd>")
            .Append(result.Duration is { } d ? $"{d.TotalSeconds:0.##} s" : "-").Append("</dd>");
        if (result.Score is { } score)
        {
            html.Append("<dt>Score</dt><dd>").Append(score.ToString("0.#", CultureInfo.InvariantCulture)).Append(" / 100</dd>");
        }
        html.Append("</dl></header>");

        Table(html, "Parameters", ["Name", "Value"], result.Parameters.Select(p => new[] { p.Key, p.Value }));
        Hypothesis(html, result, "Steady-state hypothesis");
        if (result.Children.Count > 0)
        {
            Table(html, "Experiments", ["Experiment", "Type", "Verdict", "Score", "Duration", "Message"], result.Children.Select(c => new[]
            {
                c.Name, c.Type.ToString(), c.Verdict.ToString(), c.Score?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-",
                c.Duration is { } cd ? $"{cd.TotalSeconds:0.#} s" : "-", c.Message ?? string.Empty,
            }));
            foreach (var child in result.Children)
            {
                Hypothesis(html, child, $"{child.Name}: {child.Verdict}, score {child.Score?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-"}");
            }
        }
        html.Append("<section><h2>Timeline</h2><p>Measured values while the faults ran; shaded bands are faults.</p><div id=\"charts\"></div></section>");
        Table(html, "Touched and reverted", ["Kind", "What", "Action", "Reverted", "How"],
            result.Touched.Select(t => new[] { t.Kind, t.What, t.Action, t.Reverted ? "yes" : "NO", t.Revert ?? string.Empty }));
        Table(html, "Journal", ["Time", "Kind", "Name", "Ok", "Detail"],
            result.Events.Select(e => new[] { e.Time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture), e.Kind, e.Name, e.Ok switch { true => "ok", false => "FAILED", _ => string.Empty }, e.Detail ?? string.Empty }));

        html.Append("<script>").Append(script).Append("</script>");
        html.Append("<script>const data = ").Append(ChartData(result)).Append(";").Append(ChartScript).Append("</script></body></html>");
        return html.ToString();
    }

    /// <summary>Every probe or check by name, with what it said before the method and after it (or while the fault lasted).</summary>
    private static void Hypothesis(StringBuilder html, ChaosResult result, string title)
    {
        var names = result.HypothesisBefore.Select(p => p.Name).Concat(result.HypothesisAfter.Select(p => p.Name)).Distinct().ToList();
        if (names.Count == 0)
        {
            return;
        }
        Table(html, title, ["Probe", "Before", "After"], names.Select(name => new[]
        {
            name,
            result.HypothesisBefore.FirstOrDefault(p => p.Name == name) is { } before ? Probe(before) : "-",
            result.HypothesisAfter.FirstOrDefault(p => p.Name == name) is { } after ? Probe(after) : "not checked",
        }));
    }

    private static string Probe(ChaosProbeResult probe) => $"{(probe.Ok ? "✔" : "✘")} {probe.Detail}";

    private static void Table(StringBuilder html, string title, string[] headers, IEnumerable<string[]> rows)
    {
        html.Append("<section><h2>").Append(E(title)).Append("</h2><table><thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(E(header)).Append("</th>");
        }
        html.Append("</tr></thead><tbody>");
        var any = false;
        foreach (var row in rows)
        {
            any = true;
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }
            html.Append("</tr>");
        }
        if (!any)
        {
            html.Append("<tr><td colspan=\"").Append(headers.Length).Append("\">none</td></tr>");
        }
        html.Append("</tbody></table></section>");
    }

    /// <summary>One series per measurement name, as seconds since the start, plus the fault windows.</summary>
    private static string ChartData(ChaosResult result)
    {
        var start = result.StartTime;
        var series = result.Measurements.GroupBy(m => m.Name).Select(g => new
        {
            name = g.Key,
            unit = g.First().Unit,
            x = g.Select(m => Math.Round((m.Time - start).TotalSeconds, 3)).ToArray(),
            y = g.Select(m => m.Value).ToArray(),
        });
        var faults = new List<object>();
        foreach (var applied in result.Events.Where(e => e.Kind == "Fault" && e.Detail == "applying"))
        {
            var end = result.Events.FirstOrDefault(e => e.Kind == "Revert" && e.Name == applied.Name && e.Time >= applied.Time);
            faults.Add(new { name = applied.Name, from = (applied.Time - start).TotalSeconds, to = ((end?.Time ?? result.EndTime ?? applied.Time) - start).TotalSeconds });
        }
        // Embedded in a <script>: '<' is escaped so no value can close the element.
        return JsonSerializer.Serialize(new { series, faults }).Replace("<", "\\u003c", StringComparison.Ordinal);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Css = """
        body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2430;background:#fff}
        h1{margin:0 0 .5rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de}
        .verdict{display:inline-block;padding:.3rem .9rem;border-radius:4px;font-weight:bold;color:#fff}
        .passed{background:#1a7f37}.failed{background:#cf222e}.aborted{background:#9a6700}
        dl{display:grid;grid-template-columns:8rem auto;gap:.2rem 1rem}dt{font-weight:bold}dd{margin:0}
        table{border-collapse:collapse;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
        th{background:#f6f8fa}.chart{margin:1rem 0}
        """;

    private const string ChartScript = """
        (function () {
          const host = document.getElementById('charts');
          if (data.series.length === 0) { host.textContent = 'Nothing was measured.'; return; }
          const bands = {
            hooks: { drawClear: [u => {
              const ctx = u.ctx; ctx.save(); ctx.fillStyle = 'rgba(207,34,46,0.12)';
              for (const f of data.faults) {
                const x0 = u.valToPos(f.from, 'x', true), x1 = u.valToPos(f.to, 'x', true);
                ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
              }
              ctx.restore();
            }] }
          };
          for (const s of data.series) {
            const div = document.createElement('div'); div.className = 'chart'; host.appendChild(div);
            new uPlot({
              title: s.name + (s.unit ? ' (' + s.unit + ')' : ''), width: Math.min(1000, host.clientWidth || 900), height: 220,
              scales: { x: { time: false } }, plugins: [bands],
              axes: [{ label: 'seconds since start' }, {}],
              series: [{}, { label: s.name, stroke: '#0969da', width: 2, points: { show: true, size: 5 } }]
            }, [s.x, s.y], div);
          }
        })();
        """;
}
