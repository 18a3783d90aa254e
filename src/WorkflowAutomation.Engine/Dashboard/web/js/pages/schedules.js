import { get } from '../api.js';
import { h, when, table } from '../dom.js';

export async function render(main) {
  const body = h('section', { class: 'card' });
  main.append(h('h1', {}, 'Schedules'), body);
  async function refresh() {
    const schedules = await get('/api/schedules');
    body.replaceChildren(table(['Workflow', 'Cron', 'Time zone', 'Next run', 'Last run', '~File'], schedules.map(schedule =>
      h('tr', {}, h('td', {}, schedule.name), h('td', {}, h('code', {}, schedule.cron)), h('td', {}, schedule.timeZone ?? 'UTC'),
        h('td', {}, when(schedule.nextRunAt)), h('td', {}, when(schedule.lastRunAt) || 'never'), h('td', { class: 'hide-narrow' }, schedule.path))),
      'No schedules. Register-WorkflowSchedule adds one.'));
  }
  await refresh();
  return { refresh };
}
