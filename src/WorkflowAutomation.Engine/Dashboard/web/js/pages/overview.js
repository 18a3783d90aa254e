import { get, post } from '../api.js';
import { h, badge, when, table, runLink, seconds } from '../dom.js';

export async function render(main) {
  const page = h('div');
  main.append(h('h1', {}, 'Overview'), page);
  let timer = null;
  async function refresh() {
    const data = await get('/api/overview');
    page.replaceChildren(
      h('div', { class: 'stats' },
        h('div', { class: 'stat' }, 'Health', h('b', {}, badge(data.health))),
        h('div', { class: 'stat' }, 'Queued', h('b', { 'data-stat': 'queue' }, String(data.queueDepth))),
        h('div', { class: 'stat' }, 'Running', h('b', {}, String(data.running.length))),
        h('div', { class: 'stat' }, 'Waiting for approval', h('b', {}, String(data.approvals.length))),
        h('div', { class: 'stat' }, 'Open breakers', h('b', {}, String(data.openBreakers.length)))),
      h('div', { class: 'grid' },
        card('Waiting for approval', table(['Run', 'Workflow', 'Step', 'Since', ''], data.approvals.map(approval =>
          h('tr', {}, h('td', {}, runLink(approval)), h('td', {}, approval.workflow ?? ''), h('td', {}, approval.step), h('td', {}, when(approval.requestedAt)),
            h('td', {}, answerButtons(approval.runId, approval.step, refresh)))), 'No run waits for an approval.')),
        card('Running', table(['Run', 'Workflow', 'Started'], data.running.map(run =>
          h('tr', {}, h('td', {}, runLink(run)), h('td', {}, run.name), h('td', {}, when(run.startTime)))), 'Nothing is running.')),
        card('Health checks', table(['Check', 'Status', 'Detail'], data.healthChecks.map(check =>
          h('tr', {}, h('td', {}, check.name), h('td', {}, badge(check.status)), h('td', {}, check.description)))))
        ,
        card('Last failures', table(['Run', 'Workflow', 'Ended', 'Error'], data.lastFailures.map(run =>
          h('tr', {}, h('td', {}, runLink(run)), h('td', {}, run.name), h('td', {}, when(run.endTime)), h('td', { class: 'error-text' }, run.error ?? ''))), 'No failed runs.')),
        card('Open circuit breakers', table(['Breaker', 'State', 'Failures', 'Opened'], data.openBreakers.map(breaker =>
          h('tr', {}, h('td', {}, breaker.name), h('td', {}, badge(breaker.state)), h('td', {}, String(breaker.failures)), h('td', {}, when(breaker.openedAt)))), 'All breakers are closed.')),
        card('Next scheduled runs', table(['Workflow', 'Cron', 'Next'], data.nextSchedules.map(schedule =>
          h('tr', {}, h('td', {}, schedule.name), h('td', {}, h('code', {}, schedule.cron)), h('td', {}, when(schedule.nextRunAt)))), 'No schedules.'))));
  }
  await refresh();
  // Several events in a burst cost one reload.
  const soon = () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(() => {}), 100); };
  return { refresh, onEvent: soon, dispose: () => clearTimeout(timer) };
}

function card(title, content) {
  return h('section', { class: 'card' }, h('h2', {}, title), content);
}

export function answerButtons(runId, step, after) {
  const act = answer => async event => {
    const buttons = event.target.parentElement.querySelectorAll('button');
    buttons.forEach(button => { button.disabled = true; });
    try {
      await post(`/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/${answer}`);
      await after?.();
    } catch (error) {
      buttons.forEach(button => { button.disabled = false; });
      alert(error.message);
    }
  };
  return h('span', { class: 'toolbar' },
    h('button', { class: 'primary', 'data-action': 'approve', onclick: act('approve') }, 'Approve'),
    h('button', { class: 'danger', 'data-action': 'deny', onclick: act('deny') }, 'Deny'));
}
