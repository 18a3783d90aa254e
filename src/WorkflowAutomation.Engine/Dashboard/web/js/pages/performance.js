import { get } from '../api.js';
import { h, seconds, table } from '../dom.js';
import { timeChart, seriesLabel } from '../charts.js';
import { rangePicker } from './ranges.js';

export async function render(main, _params, query) {
  let range = query.get('range') ?? '24h';
  const body = h('div');
  main.append(h('h1', {}, 'Performance'), rangePicker(range, next => { range = next; refresh(); }), body);
  async function refresh() {
    const data = await get(`/api/performance?range=${range}`);
    const percent = value => value === undefined || value === null ? '' : `${(value * 100).toFixed(1)} %`;
    body.replaceChildren(
      h('div', { class: 'stats' },
        h('div', { class: 'stat' }, 'Submit to start p50', h('b', {}, seconds(data.submitToStart.p50Seconds) || '—')),
        h('div', { class: 'stat' }, 'Submit to start p95', h('b', {}, seconds(data.submitToStart.p95Seconds) || '—')),
        h('div', { class: 'stat' }, 'Daemon runs measured', h('b', {}, String(data.submitToStart.count)))),
      h('div', { class: 'grid' },
        timeChart('Run durations', data.runDurations.map(one => ({ label: one.tags.replace('workflow=', ''), points: one.points })), { unit: ' s' }),
        timeChart('Parallel executor and queues', data.executor.map(one => ({ label: seriesLabel(one), points: one.points })))),
      h('section', { class: 'card' }, h('h2', {}, 'Workflows'), table(['Workflow', 'Runs', 'Succeeded', 'Failed', 'Success rate', 'p50', 'p95'],
        data.workflows.map(row => h('tr', {}, h('td', {}, row.workflow), h('td', {}, String(row.runs)), h('td', {}, String(row.succeeded)), h('td', {}, String(row.failed)),
          h('td', {}, percent(row.successRate)), h('td', {}, seconds(row.p50Seconds)), h('td', {}, seconds(row.p95Seconds)))), 'No runs in this range.')),
      h('section', { class: 'card' }, h('h2', {}, 'Steps'), table(['Workflow', 'Step', 'Runs', 'p50', 'p95'],
        data.steps.map(row => h('tr', {}, h('td', {}, row.workflow), h('td', {}, row.step), h('td', {}, String(row.count)), h('td', {}, seconds(row.p50Seconds)), h('td', {}, seconds(row.p95Seconds)))),
        'No step durations in this range.')));
  }
  await refresh();
  let timer = null;
  return { refresh, onEvent: name => { if (name === 'run' || name === 'metrics') { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => {}), 1000); } }, dispose: () => clearTimeout(timer) };
}
