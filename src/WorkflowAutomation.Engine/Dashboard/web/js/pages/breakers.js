import { get, post } from '../api.js';
import { h, badge, when, table } from '../dom.js';

export async function render(main) {
  const body = h('section', { class: 'card' });
  main.append(h('h1', {}, 'Circuit breakers'), body);
  async function refresh() {
    const breakers = await get('/api/breakers');
    body.replaceChildren(table(['Breaker', 'State', 'Failures', 'Opened', 'Half-opens', 'Last error', ''], breakers.map(breaker =>
      h('tr', { 'data-breaker': breaker.name }, h('td', {}, breaker.name), h('td', {}, badge(breaker.state)), h('td', {}, `${breaker.failures} / ${breaker.threshold}`),
        h('td', {}, when(breaker.openedAt)), h('td', {}, when(breaker.halfOpenAt)), h('td', { class: 'error-text' }, breaker.lastError ?? ''),
        h('td', {}, breaker.state === 'Closed' ? '' : h('button', { 'data-action': 'reset', onclick: async () => {
          try { await post(`/api/breakers/${encodeURIComponent(breaker.name)}/reset`); await refresh(); } catch (error) { alert(error.message); }
        } }, 'Reset')))), 'No breaker has seen a failure.'));
  }
  await refresh();
  return { refresh, onEvent: name => { if (name === 'breaker') refresh().catch(() => {}); } };
}
