// Browser-side figures for bench/dashboard.ps1: first contentful paint of the Overview, and
// change-to-DOM latency (a step released by a signal file until its node turns Succeeded on
// the open run page). Writes one JSON object. Usage: node dashboard.bench.mjs <config.json>
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const profile = mkdtempSync(join(tmpdir(), 'wa-chromium-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: config.chromium ?? '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = context.pages()[0] ?? await context.newPage();
const result = { fcp: [], changeToDom: [] };
try {
  await page.goto(`${config.base}/?token=${config.token}`);
  await page.waitForSelector('h1');
  for (let i = 0; i < config.fcpSamples; i++) {
    await page.goto(`${config.base}/`, { waitUntil: 'load' });
    await page.waitForSelector('.stats');
    result.fcp.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1));
  }
  await page.goto(`${config.base}/runs/${config.run}`);
  await page.waitForSelector('#live.ok');
  for (let i = 1; i <= config.steps; i++) {
    await page.waitForSelector(`.dag g.node[data-step="s${i}"][data-status="Running"]`, { timeout: 20000 });
    await page.waitForTimeout(150);
    const released = Date.now();
    writeFileSync(join(config.signals, `s${i}`), 'go');
    await page.waitForSelector(`.dag g.node[data-step="s${i}"][data-status="Succeeded"]`, { timeout: 10000 });
    result.changeToDom.push(Date.now() - released);
  }
  // One page open and idle, for the CPU figure the caller takes meanwhile.
  await page.goto(`${config.base}/`);
  await page.waitForSelector('#live.ok');
  writeFileSync(config.idleReady, 'ready');
  await page.waitForTimeout(config.idleSeconds * 1000);
} finally {
  writeFileSync(config.results, JSON.stringify(result));
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
