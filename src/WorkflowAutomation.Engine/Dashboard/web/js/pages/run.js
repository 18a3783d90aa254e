import { get, post } from '../api.js';
import { h, s, badge, when, seconds, table } from '../dom.js';
import { answerButtons } from './overview.js';

const active = ['Queued', 'Running', 'WaitingForApproval'];

// A run's page: the DAG coloured by step status, a timeline of steps, attempts and rollbacks,
// each step's details and the log with a live tail.
export async function render(main, [runId]) {
  const header = h('div');
  const dag = h('section', { class: 'card dag', 'aria-label': 'Graph of the steps' });
  const gantt = h('section', { class: 'card' });
  const steps = h('section', { class: 'card steps-detail' });
  const logPre = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Log' });
  const logStep = h('select', { 'aria-label': 'Log of step' }, h('option', { value: '' }, 'all steps'));
  const logCard = h('section', { class: 'card' }, h('div', { class: 'toolbar' }, h('h2', {}, 'Log'), logStep), logPre);
  main.append(header, h('div', { class: 'grid' }, dag, gantt), steps, logCard);

  let run = null;
  let lastSeq = 0;
  let selected = null;
  const lines = [];

  async function refresh() {
    run = await get(`/api/runs/${encodeURIComponent(runId)}`);
    document.title = `${run.name} ${run.id} · WorkflowAutomation`;
    renderHeader();
    renderDag();
    renderGantt();
    renderSteps();
    if (logStep.options.length === 1) logStep.append(...run.steps.map(step => h('option', { value: step.name }, step.name)));
  }

  function renderHeader() {
    const actions = h('div', { class: 'toolbar' });
    if (active.includes(run.status)) actions.append(h('button', { class: 'danger', 'data-action': 'cancel', onclick: () => act('cancel') }, 'Cancel run'));
    if (['Failed', 'Cancelled', 'Interrupted'].includes(run.status)) actions.append(h('button', { 'data-action': 'restart', onclick: () => act('restart') }, 'Restart from failed step'));
    const parameters = Object.entries(run.parameters ?? {});
    header.replaceChildren(
      h('h1', {}, run.name, ' ', h('span', { class: 'muted' }, run.id), ' ', h('span', { 'data-run-status': run.status }, badge(run.status))),
      actions,
      h('div', { class: 'card kv' },
        h('span', { class: 'muted' }, 'Started'), h('span', {}, when(run.startTime) || '—'),
        h('span', { class: 'muted' }, 'Ended'), h('span', {}, when(run.endTime) || '—'),
        h('span', { class: 'muted' }, 'Duration'), h('span', {}, seconds(run.durationSeconds) || '—'),
        h('span', { class: 'muted' }, 'Origin'), h('span', {}, run.origin ?? ''),
        run.restartOf ? [h('span', { class: 'muted' }, 'Restart of'), h('a', { href: `/runs/${encodeURIComponent(run.restartOf)}` }, run.restartOf)] : null,
        parameters.length ? [h('span', { class: 'muted' }, 'Inputs'), h('span', {}, parameters.map(([key, value]) => `${key}=${value}`).join(', '))] : null,
        run.error ? [h('span', { class: 'muted' }, 'Error'), h('span', { class: 'error-text' }, run.error)] : null));
  }

  async function act(action) {
    try {
      const result = await post(`/api/runs/${encodeURIComponent(runId)}/${action}`);
      if (action === 'restart' && result?.id) {
        history.pushState(null, '', `/runs/${encodeURIComponent(result.id)}`);
        dispatchEvent(new PopStateEvent('popstate'));
        return;
      }
      await refresh();
    } catch (error) {
      alert(error.message);
    }
  }

  function statusOf(name) {
    return run.steps.find(step => step.name === name)?.status ?? 'Pending';
  }

  function renderDag() {
    const graph = run.graph;
    dag.replaceChildren(h('h2', {}, 'Steps'));
    if (!graph) { dag.append(h('p', { class: 'empty' }, 'The definition of this run was not recorded.')); return; }
    const names = graph.nodes.map(node => node.name);
    const level = new Map(names.map(name => [name, 0]));
    for (let pass = 0; pass < names.length; pass++) {
      for (const [from, to] of graph.edges) level.set(to, Math.max(level.get(to), level.get(from) + 1));
    }
    const columns = [];
    for (const name of names) (columns[level.get(name)] ??= []).push(name);
    const width = 160, height = 38, gapX = 56, gapY = 14;
    const position = new Map();
    columns.forEach((column, x) => column.forEach((name, y) => position.set(name, { x: 8 + x * (width + gapX), y: 8 + y * (height + gapY) })));
    const svgWidth = 16 + columns.length * (width + gapX) - gapX;
    const svgHeight = 16 + Math.max(...columns.map(column => column.length)) * (height + gapY) - gapY;
    const svg = s('svg', { width: svgWidth, height: svgHeight, viewBox: `0 0 ${svgWidth} ${svgHeight}`, role: 'img', 'aria-label': `Graph of ${names.length} steps` });
    for (const [from, to] of graph.edges) {
      const a = position.get(from), b = position.get(to);
      const x1 = a.x + width, y1 = a.y + height / 2, x2 = b.x, y2 = b.y + height / 2, mid = (x1 + x2) / 2;
      svg.append(s('path', { class: 'edge', d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` }));
    }
    for (const node of graph.nodes) {
      const { x, y } = position.get(node.name);
      const status = statusOf(node.name);
      const label = node.name.length > 20 ? node.name.slice(0, 19) + '…' : node.name;
      const group = s('g', { class: `node s-${status}${selected === node.name ? ' selected' : ''}`, 'data-step': node.name, 'data-status': status, tabindex: '0', role: 'button', 'aria-label': `${node.name}: ${status}` },
        s('title', {}, `${node.name}: ${status}\n${node.command}`),
        s('rect', { x, y, width, height }),
        s('text', { x: x + 10, y: y + 16 }, label),
        s('text', { x: x + 10, y: y + 31, class: 'status' }, (node.approvalRequired ? 'gate · ' : '') + status));
      const choose = () => { selected = node.name; logStep.value = node.name; showLog(); document.getElementById(`step-${CSS.escape(node.name)}`)?.setAttribute('open', ''); renderDag(); };
      group.addEventListener('click', choose);
      group.addEventListener('keydown', event => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); choose(); } });
      svg.append(group);
    }
    dag.append(svg);
  }

  function renderGantt() {
    gantt.replaceChildren(h('h2', {}, 'Timeline'));
    const times = [];
    for (const step of run.steps) for (const attempt of step.history ?? []) times.push(Date.parse(attempt.startTime), attempt.endTime ? Date.parse(attempt.endTime) : Date.now());
    for (const rollback of run.rollbacks ?? []) times.push(Date.parse(rollback.startTime), rollback.endTime ? Date.parse(rollback.endTime) : Date.now());
    if (!times.length) { gantt.append(h('p', { class: 'empty' }, 'No step has started yet.')); return; }
    const start = Math.min(...times), end = Math.max(...times, start + 1);
    const span = end - start;
    const grid = h('div', { class: 'gantt', role: 'list' });
    const bar = (from, to, status, title) => {
      const element = h('div', { class: `bar s-${status}`, title });
      element.style.left = `${((from - start) / span) * 100}%`;
      element.style.width = `${Math.max(0.3, ((to - from) / span) * 100)}%`;
      return element;
    };
    for (const step of run.steps) {
      const track = h('div', { class: 'track' });
      for (const attempt of step.history ?? []) {
        const from = Date.parse(attempt.startTime), to = attempt.endTime ? Date.parse(attempt.endTime) : Date.now();
        track.append(bar(from, to, attempt.status, `${step.name} attempt ${attempt.number}: ${attempt.status} (${seconds((to - from) / 1000)})`));
      }
      grid.append(h('div', { class: 'label', role: 'listitem' }, step.name), track);
    }
    for (const rollback of run.rollbacks ?? []) {
      const from = Date.parse(rollback.startTime), to = rollback.endTime ? Date.parse(rollback.endTime) : Date.now();
      grid.append(h('div', { class: 'label' }, `↩ ${rollback.step}`), h('div', { class: 'track' }, bar(from, to, rollback.status, `rollback of ${rollback.step}: ${rollback.status}`)));
    }
    gantt.append(grid, h('p', { class: 'muted' }, `${seconds(span / 1000)} from the first attempt to the last`));
  }

  function renderSteps() {
    const open = new Set([...steps.querySelectorAll('details[open]')].map(details => details.dataset.step));
    steps.replaceChildren(h('h2', {}, 'Step details'), ...run.steps.map(step => {
      const outputs = Object.entries(step.outputs ?? {});
      return h('details', { id: `step-${step.name}`, 'data-step': step.name, open: open.has(step.name) },
        h('summary', {}, step.name, ' ', badge(step.status), ' ', h('span', { class: 'muted' }, seconds(step.durationSeconds))),
        step.status === 'WaitingForApproval' && step.answerable ? answerButtons(run.id, step.name, refresh) : null,
        step.status === 'WaitingForApproval' && !step.answerable ? h('p', { class: 'muted' }, 'Waiting for an answer in the session that runs it.') : null,
        h('div', { class: 'kv' },
          h('span', { class: 'muted' }, 'Attempts'), h('span', {}, String(step.attempts)),
          h('span', { class: 'muted' }, 'Exit code'), h('span', {}, step.exitCode ?? '—'),
          step.reused ? [h('span', { class: 'muted' }, 'Reused'), h('span', {}, 'from the restarted run')] : null,
          step.error ? [h('span', { class: 'muted' }, 'Error'), h('span', { class: 'error-text' }, step.error)] : null),
        outputs.length ? table(['Output', 'Value'], outputs.map(([key, value]) => h('tr', {}, h('td', {}, key), h('td', {}, value)))) : null,
        (step.history ?? []).length > 1 ? table(['Attempt', 'Status', 'Exit', 'Error'], step.history.map(attempt =>
          h('tr', {}, h('td', {}, String(attempt.number)), h('td', {}, badge(attempt.status)), h('td', {}, attempt.exitCode ?? ''), h('td', { class: 'error-text' }, attempt.error ?? '')))) : null);
    }));
  }

  function showLog() {
    const only = logStep.value;
    const shown = lines.filter(line => !only || line.step === only || line.step === `rollback:${only}`);
    logPre.replaceChildren(...shown.map(line => h('span', { class: line.isError ? 'err' : null }, `${line.step ? `[${line.step}] ` : ''}${line.text}\n`)));
    if (!shown.length) logPre.textContent = 'No output yet.';
    logPre.scrollTop = logPre.scrollHeight;
  }
  logStep.addEventListener('change', showLog);

  async function tail() {
    const chunk = await get(`/api/runs/${encodeURIComponent(runId)}/log?after=${lastSeq}`);
    lines.push(...chunk.lines);
    lastSeq = chunk.last;
    showLog();
  }

  await refresh();
  await tail();
  let timer = null;
  return {
    refresh: () => Promise.all([refresh(), tail()]),
    onEvent(name, data) {
      if (name === 'run' && data.id === runId) {
        // The event carries the step states: the graph changes at once, the rest follows.
        for (const step of data.steps) {
          const known = run.steps.find(candidate => candidate.name === step.name);
          if (known) known.status = step.status;
        }
        run.status = data.status;
        renderDag();
        header.querySelector('[data-run-status]')?.replaceChildren(badge(data.status));
        clearTimeout(timer);
        timer = setTimeout(() => refresh().catch(() => {}), 150);
      }
      if (name === 'log' && data.runs.includes(runId)) tail().catch(() => {});
    },
    dispose: () => clearTimeout(timer),
  };
}
