// Drives the system's headless Chromium through the dashboard as a user would, and writes one
// JSON object of named checks (each ok or not, with a detail) for the Pester test to assert.
// Usage: node dashboard.browser.mjs <config.json>
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const checks = [];
const check = (name, ok, detail = '') => checks.push({ name, ok: Boolean(ok), detail: String(detail) });
mkdirSync(config.screenshots, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), 'wa-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: config.chromium ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const consoleErrors = [];
const cspViolations = [];
// While the daemon restarts under the open page, a request can meet the stopping listener,
// which answers 404 on a kept-alive connection: those are set aside, not counted.
let restarting = false;
const restartErrors = [];
// With the address: a failed resource's message alone does not say which one.
context.on('console', message => {
  if (message.type() !== 'error') return;
  const text = `${message.text()} (${message.location()?.url ?? 'no address'})`;
  (restarting && text.startsWith('Failed to load resource') ? restartErrors : consoleErrors).push(text);
});
await context.addInitScript(() => {
  window.__csp = [];
  document.addEventListener('securitypolicyviolation', event => window.__csp.push(`${event.violatedDirective} ${event.blockedURI}`));
});
const page = context.pages()[0] ?? await context.newPage();
page.on('pageerror', error => consoleErrors.push(`pageerror: ${error.message}`));
const collectCsp = async () => { try { cspViolations.push(...await page.evaluate(() => window.__csp)); } catch { } };
const shot = async name => page.screenshot({ path: join(config.screenshots, `${name}.png`), fullPage: true });

try {
  // Login: a wrong token is refused; the right one becomes a cookie and leaves the address bar.
  const refused = await page.goto(`${config.base}/?token=${'0'.repeat(64)}`);
  check('wrong token is refused', refused.status() === 401, refused.status());
  await page.goto(`${config.base}/?token=${config.token}`);
  await page.waitForSelector('h1:text("Overview")');
  check('token leaves the address bar', !page.url().includes('token'), page.url());
  const cookie = (await context.cookies()).find(c => c.name === 'wa_dashboard');
  check('session cookie is HttpOnly and SameSite=Strict', cookie?.httpOnly && cookie?.sameSite === 'Strict', JSON.stringify(cookie));
  await page.waitForSelector('#live.ok', { timeout: 5000 });

  // Overview: the waiting gate is listed with its buttons.
  await page.waitForSelector(`a[href="/runs/${config.runs.gate}"]`, { timeout: 10000 });
  check('overview lists the run waiting for approval', await page.locator('button[data-action="approve"]').count() > 0);
  await shot('overview');

  // Workflows: the history shows the runs.
  await page.click('nav a[data-nav="workflows"]');
  await page.waitForSelector(`tr[data-run="${config.runs.gate}"]`);
  check('a run appears in the history', true);
  await shot('workflows');

  // The gate run's page: DAG coloured by step states, approval from the page lets it finish.
  await page.goto(`${config.base}/runs/${config.runs.gate}`);
  await page.waitForSelector('.dag g.node[data-step="deploy"]');
  const states = Object.fromEntries(await page.$$eval('.dag g.node', nodes => nodes.map(node => [node.dataset.step, node.dataset.status])));
  check('the DAG shows step states', states.build === 'Succeeded' && states.test === 'Succeeded' && states.deploy === 'WaitingForApproval', JSON.stringify(states));
  check('edges are drawn', await page.locator('.dag path.edge').count() === 2, await page.locator('.dag path.edge').count());
  const injected = await page.locator('#injected').count();
  const logText = await page.locator('pre.log').textContent();
  check('output is shown as text, never as HTML', injected === 0 && logText.includes('<b id=injected>'), logText);
  await shot('run-waiting');
  await page.locator('details[data-step="deploy"] summary').click();
  await page.locator('details[data-step="deploy"] button[data-action="approve"]').click();
  await page.waitForSelector('.dag g.node[data-step="deploy"][data-status="Succeeded"]', { timeout: 15000 });
  await page.waitForSelector('[data-run-status] .badge[data-status="Succeeded"]', { timeout: 15000 });
  check('approving the gate from the page lets the run finish', true);
  await shot('run');

  // Live: a step that changes shows on the open page within 1 s, without a reload.
  await page.goto(`${config.base}/runs/${config.runs.live}`);
  await page.waitForSelector('.dag g.node[data-step="wait"][data-status="Running"]', { timeout: 15000 });
  await page.waitForSelector('#live.ok');
  await page.evaluate(() => { window.__sameDocument = true; });
  await page.waitForTimeout(500);
  const released = Date.now();
  writeFileSync(config.signalFile, 'go');
  await page.waitForSelector('.dag g.node[data-step="wait"][data-status="Succeeded"]', { timeout: 5000 });
  const latency = Date.now() - released;
  const sameDocument = await page.evaluate(() => window.__sameDocument === true);
  check('a live step change appears within 1 s without reload', latency < 1000 && sameDocument, `${latency} ms, same document ${sameDocument}`);
  await page.waitForSelector('[data-run-status] .badge[data-status="Succeeded"]', { timeout: 15000 });
  await shot('run-live');

  // Charts paint: count canvas pixels of the first series colour.
  for (const [name, path] of [['system', '/system?range=15m'], ['performance', '/performance?range=1h'], ['metrics-explorer', '/metrics-explorer?name=system.cpu.usage&range=15m']]) {
    await page.goto(`${config.base}${path}`);
    await page.waitForSelector('.chart canvas', { timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(300);
    const painted = await page.$$eval('.chart canvas', canvases => canvases.map(canvas => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let series = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && Math.abs(data[i] - 37) < 40 && Math.abs(data[i + 1] - 99) < 40 && Math.abs(data[i + 2] - 235) < 40) series++;
      }
      return series;
    }));
    check(`${name} charts paint`, painted.length > 0 && painted.some(count => count > 20), JSON.stringify(painted));
    await collectCsp();
    await shot(name);
  }

  for (const name of ['breakers', 'schedules', 'chaos']) {
    await page.goto(`${config.base}/${name}`);
    await page.waitForSelector('main h1');
    await page.waitForTimeout(200);
    await collectCsp();
    await shot(name);
  }
  check('the chaos section says it has no results yet', (await page.locator('[data-empty="chaos"]').textContent()).includes('no chaos results'));
  await page.goto(`${config.base}/breakers`);
  await page.waitForSelector('tr[data-breaker]');
  check('breakers list the open breaker with a reset button', await page.locator('button[data-action="reset"]').count() > 0);

  // Lost connection: the daemon restarts under the open page, which says so and reconnects by itself.
  await page.goto(`${config.base}/`);
  await page.waitForSelector('#live.ok');
  restarting = true;
  const restart = spawn(config.restart.file, config.restart.args, { stdio: 'ignore' });
  const restarted = new Promise(resolve => restart.on('exit', resolve));
  await page.waitForSelector('#live.lost', { timeout: 20000 }).then(() => check('a lost connection is said', true), error => check('a lost connection is said', false, error.message));
  await page.waitForSelector('#live.ok', { timeout: 40000 }).then(() => check('and it reconnects', true), error => check('and it reconnects', false, error.message));
  await restarted;
  restarting = false;

  // Keyboard: the skip link and the navigation are reachable with Tab.
  await page.keyboard.press('Tab');
  check('keyboard reaches the skip link first', await page.evaluate(() => document.activeElement?.classList.contains('skip')));

  // Dark scheme and a phone.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(`${config.base}/runs/${config.runs.gate}`);
  await page.waitForSelector('.dag g.node');
  await shot('run-dark');
  await page.goto(`${config.base}/`);
  await page.waitForSelector('h1:text("Overview")');
  await shot('overview-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${config.base}/workflows`);
  await page.waitForSelector('tr[data-run]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('a phone reads the history without sideways scrolling', overflow <= 1, `${overflow} px wider`);
  await shot('workflows-phone');
  await collectCsp();
} catch (error) {
  check('the browser script ran to the end', false, error.stack ?? error.message);
  await shot('failure').catch(() => {});
} finally {
  // The restart above answers the live connection with a plain error page for a moment; the
  // browser says so in the console, and the page opens a new connection (checked above).
  const relevantErrors = consoleErrors.filter(text => !text.includes('401') && !text.includes('ERR_INTERNET_DISCONNECTED') && !text.includes('net::ERR') &&
    !text.startsWith("EventSource's response has"));
  check('no console errors', relevantErrors.length === 0, [...relevantErrors, ...restartErrors.map(text => `(during the restart, not counted) ${text}`)].join('\n'));
  check('no CSP violations', cspViolations.length === 0 && !consoleErrors.some(text => text.includes('Content Security Policy')), cspViolations.join('\n'));
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  writeFileSync(config.results, JSON.stringify({ checks }, null, 2));
}
