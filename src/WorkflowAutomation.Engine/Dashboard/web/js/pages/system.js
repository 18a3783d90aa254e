import { get } from '../api.js';
import { h } from '../dom.js';
import { timeChart, seriesLabel } from '../charts.js';
import { rangePicker } from './ranges.js';

const charts = [
  ['CPU', ['system.cpu.usage'], '%'],
  ['Memory', ['system.memory.usage'], '%'],
  ['Disk', ['system.disk.usage'], '%'],
  ['Network', ['system.network.receive.rate', 'system.network.transmit.rate'], ' B/s'],
  ['Daemon memory', ['process.memory.working_set'], ' B'],
];

export async function render(main, _params, query) {
  let range = query.get('range') ?? '1h';
  const note = h('p', { class: 'muted' });
  const grid = h('div', { class: 'grid' });
  main.append(h('h1', {}, 'System'), rangePicker(range, next => { range = next; refresh(); }), note, grid);
  async function refresh() {
    const data = await get(`/api/system?range=${range}`);
    note.textContent = `Resolution ${data.resolution}, chosen for the range.`;
    grid.replaceChildren(...charts.map(([title, names, unit]) =>
      timeChart(title, data.series.filter(one => names.includes(one.name)).map(one => ({ label: seriesLabel(one), points: one.points })), { unit })));
  }
  await refresh();
  return { refresh, onEvent: name => { if (name === 'metrics') refresh().catch(() => {}); } };
}
