/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

/**
 * What `npm start` shows, in a real headless Chromium (Debian's /usr/bin/chromium, installed by
 * .ci/setup-test.sh): the CLI is started exactly as `npm start` does, except on a free port.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(import.meta.dirname, '..', '..');

function startCli(): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', 'firmware/cli/main.ts', 'run', '--board', 'sim', '--site', 'firmware/sites/demo.yaml', '--status', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no dashboard line within 60 s:\n${out}`)), 60_000);
    const poll = setInterval(() => {
      const m = /dashboard: (http:\/\/[^/\s]+)\//.exec(out);
      if (m) {
        clearTimeout(t);
        clearInterval(poll);
        resolve({ child, url: m[1]!, out: () => out });
      }
    }, 50);
    child.on('exit', (code) => {
      clearTimeout(t);
      clearInterval(poll);
      reject(new Error(`wayside run exited ${code} before serving:\n${out}`));
    });
  });
}

describe('live dashboard (npm start) in headless Chromium', () => {
  let browser: Browser;
  let cli: Awaited<ReturnType<typeof startCli>>;

  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/setup-test.sh (apt-get install chromium)`);
    cli = await startCli();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    if (cli?.child.exitCode === null) cli.child.kill('SIGKILL');
  });

  it('shows lamp indications and sensor charts that change over time, then stops cleanly on SIGINT', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${cli.url}/`);
    await page.waitForFunction(() => (window as unknown as { __dashboard: { frames: number } }).__dashboard.frames >= 2, null, { timeout: 30_000 });
    assert.equal(await page.locator('.head').count(), 8, 'one signal head per phase');

    // Sample what a person sees, a few times a second, until both lamps and charts have changed.
    // Without a traffic controller in the build the cabinet holds all-red flash (on/off: two states).
    const noController = /not running: traffic controller/.test(cli.out());
    const lampStates = new Set<string>();
    const chartStates = new Map<string, Set<string>>();
    for (let i = 0; i < 160; i++) {
      const s = await page.evaluate(() => ({
        heads: [...document.querySelectorAll<HTMLElement>('.head')].map(
          (h) => `${h.dataset.phase}:${h.dataset.indication}:${[...h.querySelectorAll('.lamp.on')].map((l) => l.className).join('|')}`,
        ),
        charts: [...document.querySelectorAll<HTMLElement>('.chart')].map((c) => [c.dataset.stream!, `${c.dataset.points}/${c.dataset.last}`] as const),
      }));
      lampStates.add(s.heads.join(' '));
      for (const [name, v] of s.charts) {
        if (!chartStates.has(name)) chartStates.set(name, new Set());
        chartStates.get(name)!.add(v);
      }
      const chartsMoving = [...chartStates.values()].filter((x) => x.size >= 3).length;
      const sawGreen = [...lampStates].some((x) => x.includes('green on'));
      if (lampStates.size >= 3 && chartsMoving >= 3 && sawGreen) break;
      if (lampStates.size >= 2 && chartsMoving >= 3 && noController) break;
      await page.waitForTimeout(250);
    }
    const dash = await page.evaluate(() => JSON.stringify((window as unknown as { __dashboard: unknown }).__dashboard));
    assert.ok(lampStates.size >= (noController ? 2 : 3), `lamps never changed (${dash}): ${[...lampStates].join("\n")}\n${cli.out()}`);
    if (!noController) assert.ok([...lampStates].some((x) => x.includes('green on')), 'some phase showed green');
    assert.ok(chartStates.size >= 5, `expected a chart per sensor stream, got ${[...chartStates.keys()].join(', ')}`);
    const moving = [...chartStates.entries()].filter(([, x]) => x.size >= 3).map(([k]) => k);
    assert.ok(moving.length >= 3, `charts did not move: ${JSON.stringify([...chartStates].map(([k, v]) => [k, v.size]))}`);
    assert.ok((await page.locator('.chart canvas').count()) >= 5, 'uPlot drew canvases');
    assert.deepEqual(errors, [], 'no script errors on the page');

    const dir = mkdtempSync(join(tmpdir(), 'wayside-dashboard-'));
    const shot = join(dir, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'screenshot written');
    process.stdout.write(`# dashboard screenshot: ${shot}\n`);
    await page.close();

    // Ctrl-C: all-red flash, outputs released, exit 0.
    const exited = new Promise<number | null>((resolve) => cli.child.once('exit', (code) => resolve(code)));
    cli.child.kill('SIGINT');
    assert.equal(await exited, 0, cli.out());
    assert.match(cli.out(), /stopping \(SIGINT\): lamps to all-red flash/);
    assert.match(cli.out(), /outputs released/);
  });
});
