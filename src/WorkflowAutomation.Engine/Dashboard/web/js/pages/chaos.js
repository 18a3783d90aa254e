import { get } from '../api.js';
import { h, when, seconds, table } from '../dom.js';

export async function render(main) {
  const data = await get('/api/chaos');
  main.append(h('h1', {}, 'Chaos results'), h('section', { class: 'card' }, data.results.length
    ? table(['Experiment', 'Type', 'Started', 'Duration', 'Outcome', 'Summary'], data.results.map(result =>
      h('tr', {}, h('td', {}, result.id), h('td', {}, result.type), h('td', {}, when(result.startTime)), h('td', {}, result.duration),
        h('td', {}, result.passed ? 'passed' : 'failed'), h('td', {}, result.summary ?? ''))))
    : h('p', { class: 'empty', 'data-empty': 'chaos' }, data.message ?? 'no chaos results')));
  return {};
}
