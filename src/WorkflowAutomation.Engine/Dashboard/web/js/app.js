// The dashboard's single page: the path chooses the page (every page has its own URL), the
// event stream keeps it live, and a lost stream is said out loud and reconnected.
import { h } from './dom.js';
import * as overview from './pages/overview.js';
import * as workflows from './pages/workflows.js';
import * as run from './pages/run.js';
import * as system from './pages/system.js';
import * as performance from './pages/performance.js';
import * as explorer from './pages/explorer.js';
import * as breakers from './pages/breakers.js';
import * as schedules from './pages/schedules.js';
import * as chaos from './pages/chaos.js';

const routes = [
  [/^\/$/, 'overview', overview],
  [/^\/workflows$/, 'workflows', workflows],
  [/^\/runs\/([^/]+)$/, 'workflows', run],
  [/^\/system$/, 'system', system],
  [/^\/performance$/, 'performance', performance],
  [/^\/metrics-explorer$/, 'metrics-explorer', explorer],
  [/^\/breakers$/, 'breakers', breakers],
  [/^\/schedules$/, 'schedules', schedules],
  [/^\/chaos$/, 'chaos', chaos],
];

const main = document.getElementById('main');
const live = document.getElementById('live');
let current = null;

async function show() {
  current?.dispose?.();
  current = null;
  const path = location.pathname;
  const match = routes.find(([pattern]) => pattern.test(path));
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', false);
    if (match && link.dataset.nav === match[1]) link.setAttribute('aria-current', 'page');
  }
  main.replaceChildren();
  if (!match) {
    main.append(h('h1', {}, 'Not found'), h('p', {}, 'Nothing is at this address.'));
    return;
  }
  const params = path.match(match[0]).slice(1).map(decodeURIComponent);
  try {
    current = await match[2].render(main, params, new URLSearchParams(location.search));
  } catch (error) {
    main.replaceChildren(h('h1', {}, 'Could not load this page'), h('p', { class: 'error-text' }, error.message));
  }
}

// Links inside the app change the page without a reload.
document.addEventListener('click', event => {
  const link = event.target.closest('a[href^="/"]');
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || link.target) return;
  event.preventDefault();
  navigate(link.getAttribute('href'));
});

export function navigate(href) {
  history.pushState(null, '', href);
  show().then(() => main.focus({ preventScroll: true }));
}
window.addEventListener('popstate', show);

let lostOnce = false;
function connect() {
  const source = new EventSource('/api/events');
  source.addEventListener('hello', () => {
    live.textContent = 'live';
    live.className = 'live ok';
    // After a lost connection the page reloads what it shows: changes may have been missed.
    if (lostOnce) current?.refresh?.();
  });
  for (const name of ['run', 'approval', 'log', 'breaker', 'health', 'metrics']) {
    source.addEventListener(name, event => current?.onEvent?.(name, JSON.parse(event.data)));
  }
  source.onerror = () => {
    lostOnce = true;
    live.textContent = 'connection lost — reconnecting…';
    live.className = 'live lost';
    // The browser retries by itself only while the answer is an event stream: a restarting
    // daemon's plain error page closes the source for good, so the page opens a new one.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 1000);
  };
}

show();
connect();
