import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { getBoard } from '../../boards/index.js';
import { startCabinet, stopCabinet } from '../../firmware/runtime/cabinet.js';
import { loadSite } from '../../firmware/site/load.js';
import { ATSPM_HEADER, parseAtspmCsv } from '../../firmware/traffic/atspm-log.js';

const ROOT = join(import.meta.dirname, '..', '..');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('wayside run keeps the ATSPM controller log', () => {
  it('writes atspm.csv beside the event log, with the CSV header, Begin Green records and the site id as SignalID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wayside-atspm-'));
    const site = await loadSite(join(ROOT, 'firmware/sites/demo.yaml'));
    const c = await startCabinet({
      site: { ...site, controller: { ...(site.controller ?? {}), startup_flash_s: 1, startup_red_s: 1 } } as typeof site,
      siteFile: 'demo.yaml',
      board: getBoard('sim')!,
      status: null,
      inference: false,
      jobs: false,
      eventLog: join(dir, 'events.jsonl'),
    });
    const gpio = c.simBoard!.gpio;
    const heads = Object.values(site.lamps.phases);
    for (let i = 0; i < 200 && !heads.some((h) => gpio.physical(h.green) === 1); i++) await wait(50);
    assert.ok(heads.some((h) => gpio.physical(h.green) === 1), 'a green was lit');
    await stopCabinet(c, 'test');

    const text = readFileSync(join(dir, 'atspm.csv'), 'utf8');
    assert.ok(text.startsWith(ATSPM_HEADER), 'CSV header first');
    const records = parseAtspmCsv(text);
    const codes = new Set(records.map((r) => r.code));
    assert.ok(codes.has(1), `Begin Green (1) logged; codes: ${[...codes].join(',')}`);
    assert.ok(records.every((r) => r.signalId === 'demo-001'), 'signal id is the site id');
  });
});
