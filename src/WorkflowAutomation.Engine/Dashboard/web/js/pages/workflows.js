import { get } from '../api.js';
import { h, badge, when, seconds, table, runLink } from '../dom.js';

const statuses = ['', 'Queued', 'Running', 'WaitingForApproval', 'Succeeded', 'Failed', 'Cancelled', 'Interrupted'];
const periods = { '': 'any time', '1h': 'last hour', '24h': 'last 24 h', '7d': 'last 7 days', '30d': 'last 30 days' };
const spans = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

// The run history: filters live in the address, so a filtered view can be bookmarked and shared.
export async function render(main, _params, query) {
  const state = { status: query.get('status') ?? '', workflow: query.get('workflow') ?? '', search: query.get('search') ?? '', period: query.get('period') ?? '' };
  const pages = [null];
  const names = await get('/api/workflows');
  const statusSelect = h('select', { name: 'status' }, statuses.map(status => h('option', { value: status, selected: status === state.status }, status || 'any status')));
  const workflowSelect = h('select', { name: 'workflow' }, h('option', { value: '' }, 'any workflow'),
    names.map(workflow => h('option', { value: workflow.name, selected: workflow.name === state.workflow }, `${workflow.name} (${workflow.runs})`)));
  const periodSelect = h('select', { name: 'period' }, Object.entries(periods).map(([value, label]) => h('option', { value, selected: value === state.period }, label)));
  const searchInput = h('input', { type: 'search', name: 'search', placeholder: 'id, workflow or error', value: state.search, 'aria-label': 'Search runs' });
  const results = h('div');
  const pager = h('div', { class: 'pager' });
  const form = h('form', { class: 'toolbar', role: 'search' },
    h('label', {}, 'Status', statusSelect), h('label', {}, 'Workflow', workflowSelect), h('label', {}, 'Time', periodSelect),
    searchInput, h('button', { type: 'submit' }, 'Filter'));
  form.addEventListener('submit', event => { event.preventDefault(); apply(); });
  for (const select of [statusSelect, workflowSelect, periodSelect]) select.addEventListener('change', apply);
  main.append(h('h1', {}, 'Workflow runs'), form, h('section', { class: 'card' }, results, pager));

  function apply() {
    Object.assign(state, { status: statusSelect.value, workflow: workflowSelect.value, period: periodSelect.value, search: searchInput.value.trim() });
    const address = new URLSearchParams(Object.entries(state).filter(([, value]) => value));
    history.replaceState(null, '', `/workflows${address.size ? '?' + address : ''}`);
    pages.length = 1;
    load(0);
  }

  let pageIndex = 0;
  async function load(index) {
    pageIndex = index;
    const parameters = new URLSearchParams({ limit: '50' });
    if (state.status) parameters.set('status', state.status);
    if (state.workflow) parameters.set('workflow', state.workflow);
    if (state.search) parameters.set('search', state.search);
    if (state.period) parameters.set('since', new Date(Date.now() - spans[state.period]).toISOString());
    if (pages[index]) parameters.set('after', pages[index]);
    const page = await get(`/api/runs?${parameters}`);
    pages[index + 1] = page.next ?? null;
    results.replaceChildren(table(['Run', 'Workflow', 'Status', '~Origin', 'Started', 'Duration', '~Error'], page.runs.map(run =>
      h('tr', { 'data-run': run.id }, h('td', {}, runLink(run)), h('td', {}, run.name), h('td', {}, badge(run.status)), h('td', { class: 'hide-narrow' }, run.origin ?? ''),
        h('td', {}, when(run.startTime ?? run.created)), h('td', {}, seconds(run.durationSeconds)), h('td', { class: 'hide-narrow error-text' }, run.error ?? ''))),
      'No run matches.'));
    pager.replaceChildren(
      h('button', { disabled: index === 0, onclick: () => load(index - 1) }, '← Newer'),
      h('span', { class: 'muted' }, `page ${index + 1} · ${page.total} runs`),
      h('button', { disabled: !page.next, onclick: () => load(index + 1) }, 'Older →'));
  }
  await load(0);
  let timer = null;
  const refresh = () => load(pageIndex);
  return {
    refresh,
    onEvent: name => { if (name === 'run' && pageIndex === 0) { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => {}), 150); } },
    dispose: () => clearTimeout(timer),
  };
}
