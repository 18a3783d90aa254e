import { get } from '../api.js';
import { h, table, when } from '../dom.js';
import { timeChart, seriesLabel } from '../charts.js';
import { ranges } from './ranges.js';

// Any series: the query Get-WorkflowMetric runs (name with wildcards, tags, aggregate, resolution).
export async function render(main, _params, query) {
  const field = (name, fallback) => query.get(name) ?? fallback;
  const name = h('input', { name: 'name', value: field('name', 'system.cpu.*'), 'aria-label': 'Metric name (wildcards allowed)', list: 'metric-names' });
  const tags = h('input', { name: 'tags', value: field('tags', ''), placeholder: 'key=value,key=value', 'aria-label': 'Tags' });
  const aggregate = h('select', { name: 'aggregate', 'aria-label': 'Aggregate' }, ['none', 'Avg', 'Min', 'Max', 'Sum', 'Count', 'Last', 'Rate'].map(value => h('option', { value, selected: value === field('aggregate', 'none') }, value)));
  const resolution = h('select', { name: 'resolution', 'aria-label': 'Resolution' }, ['auto', 'Raw', '1m', '5m', '15m', '1h', '1d'].map(value => h('option', { value, selected: value === field('resolution', 'auto') }, value)));
  const range = h('select', { name: 'range', 'aria-label': 'Range' }, ranges.map(value => h('option', { value, selected: value === field('range', '1h') }, value)));
  const series = await get('/api/metrics/series');
  const names = h('datalist', { id: 'metric-names' }, [...new Set(series.map(one => one.name))].map(value => h('option', { value })));
  const form = h('form', { class: 'toolbar' }, h('label', {}, 'Name', name), h('label', {}, 'Tags', tags), aggregate, resolution, range, h('button', { type: 'submit', class: 'primary' }, 'Query'), names);
  const result = h('div');
  main.append(h('h1', {}, 'Metrics explorer'), form, result,
    h('section', { class: 'card' }, h('h2', {}, 'Series'), table(['Name', 'Type', 'Tags', 'Last value', 'At'], series.map(one =>
      h('tr', {}, h('td', {}, one.name), h('td', {}, one.type), h('td', {}, one.tags), h('td', {}, String(one.lastValue ?? '')), h('td', {}, when(one.lastTimestamp)))))));
  async function run(event) {
    event?.preventDefault();
    const parameters = new URLSearchParams({ name: name.value, tags: tags.value, aggregate: aggregate.value, resolution: resolution.value, range: range.value });
    history.replaceState(null, '', `/metrics-explorer?${parameters}`);
    try {
      const data = await get(`/api/metrics/query?${parameters}`);
      result.replaceChildren(h('p', { class: 'muted' }, `${data.series.length} series at resolution ${data.resolution}${data.truncated ? ' (the first 50)' : ''}.`),
        timeChart(name.value, data.series.map(one => ({ label: seriesLabel(one), points: one.points }))));
    } catch (error) {
      result.replaceChildren(h('p', { class: 'error-text' }, error.message));
    }
  }
  form.addEventListener('submit', run);
  await run();
  return { refresh: run };
}
