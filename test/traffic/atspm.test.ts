import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ATSPM } from '../../firmware/traffic/atspm-codes.js';
import { AtspmCsv, AtspmFileLog, formatTimestamp, parseAtspmCsv, rebuildPhaseTimes } from '../../firmware/traffic/atspm-log.js';
import { parseScenario } from '../../firmware/traffic/sim/scenario.js';
import { simulate } from '../../firmware/traffic/sim/simulate.js';

const START = Date.UTC(2026, 0, 1);

describe('ATSPM (Indiana hi-res) event log', () => {
  it('formats timestamps at 0.1 s resolution', () => {
    assert.equal(formatTimestamp(START + 12_345), '2026-01-01 00:00:12.3');
    assert.equal(new AtspmCsv('17', START).line(3_600_099, 1, 2), '17,2026-01-01 01:00:00.0,1,2\n');
  });

  it('a replayed log rebuilds each phase’s green, yellow and red times as the lamps showed them', () => {
    const csv = new AtspmCsv('1', START);
    let text = csv.header();
    const lamps: string[] = [];
    const s = parseScenario({
      duration_s: 1800,
      seed: 5,
      volumes_vph: { '2': 700, '6': 500, '4': 300, '8': 200 },
      controller: { type: 'actuated', yellow_s: 3.5, red_clear_s: 1.5 },
    });
    simulate(s, { events: (l) => lamps.push(l), atspm: (t, code, param) => csv.add(t, code, param, (c) => (text += c)) });
    csv.flush((c) => (text += c));
    const records = parseAtspmCsv(text);
    const codes = new Set(records.map((r) => r.code));
    for (const c of [1, 3, 4, 7, 8, 9, 10, 11, 31, 43, 44, 81, 82, 131, 173, 184]) assert.ok(codes.has(c), `code ${c} logged`);

    const rebuilt = rebuildPhaseTimes(records);
    // The same totals from the lamp outputs, between each phase's first green and the last record.
    const end = records.at(-1)!.timestampMs - START;
    const truth = new Map<number, { green: number; yellow: number; red: number; state?: string; since: number }>();
    for (const line of lamps) {
      const e = JSON.parse(line);
      if (e.phase === undefined || e.t_ms > end) continue;
      let t = truth.get(e.phase);
      if (!t) {
        if (e.indication !== 'green') continue;
        truth.set(e.phase, (t = { green: 0, yellow: 0, red: 0, since: e.t_ms, state: 'green' }));
        continue;
      }
      const k = t.state as 'green' | 'yellow' | 'red';
      t[k] += e.t_ms - t.since;
      t.state = e.indication;
      t.since = e.t_ms;
    }
    for (const [p, t] of truth) {
      const k = t.state as 'green' | 'yellow' | 'red';
      t[k] += end - t.since;
      const r = rebuilt.get(p)!;
      // Each transition is rounded down to 0.1 s in the log.
      const tol = 100 * (r.greens * 3 + 2);
      assert.ok(Math.abs(r.green_ms - t.green) <= tol, `phase ${p} green ${r.green_ms} vs ${t.green}`);
      assert.ok(Math.abs(r.yellow_ms - t.yellow) <= tol, `phase ${p} yellow ${r.yellow_ms} vs ${t.yellow}`);
      assert.ok(Math.abs(r.red_ms - t.red) <= tol, `phase ${p} red ${r.red_ms} vs ${t.red}`);
      assert.ok(r.greens > 10);
      // Every complete yellow is exactly the configured 3.5 s.
      const yellows = records.filter((x) => x.code === ATSPM.BEGIN_YELLOW && x.param === p).map((x) => x.timestampMs);
      const ends = records.filter((x) => x.code === ATSPM.END_YELLOW && x.param === p).map((x) => x.timestampMs);
      assert.ok(ends.length >= yellows.length - 1);
      ends.forEach((e, i) => assert.equal(e - yellows[i]!, 3500));
    }
    assert.equal(truth.size, 4);
  });

  it('logs the monitor trip as a flash status change and an alarm', () => {
    const s = parseScenario({
      duration_s: 1500,
      volumes_vph: { '2': 600, '4': 300 },
      controller: { type: 'fixed', cycle_s: 60, green_s: { '2': 27, '4': 25 }, yellow_s: 3, red_clear_s: 1 },
      faults: [{ at_s: 1218, kind: 'stuck-green', phase: 4 }],
    });
    const recs: [number, number, number][] = [];
    simulate(s, { atspm: (t, c, p) => recs.push([t, c, p]) });
    const flash = recs.filter(([, c]) => c === ATSPM.UNIT_FLASH_STATUS).map(([t, , p]) => [t, p]);
    assert.deepEqual(flash[0], [0, 7], 'start-up flash');
    assert.deepEqual(flash[1], [6000, 2], 'out of flash');
    assert.equal(flash[2]![1], 6, 'MMU flash');
    assert.ok(recs.some(([, c]) => c === ATSPM.ALARM_ON));
  });

  it('the rotating file log keeps a header in every file and drops the oldest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wayside-atspm-'));
    const path = join(dir, 'events.csv');
    const log = new AtspmFileLog({ path, signalId: '9', startWallMs: START, maxBytes: 2000, keep: 2 });
    for (let i = 0; i < 300; i++) {
      log.record(i * 100, ATSPM.DETECTOR_ON, 1);
      if (i % 10 === 9) log.flush();
    }
    log.close();
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`) && !existsSync(`${path}.3`));
    for (const f of [path, `${path}.1`, `${path}.2`]) {
      const text = readFileSync(f, 'utf8');
      assert.ok(text.startsWith('SignalID,Timestamp,EventCode,EventParam\n'), f);
      assert.ok(text.length <= 2000, `${f} is ${text.length} bytes`);
      assert.ok(parseAtspmCsv(text).every((r) => r.signalId === '9' && r.code === 82));
    }
    // The newest record is in the live file.
    const last = parseAtspmCsv(readFileSync(path, 'utf8')).at(-1)!;
    assert.equal(last.timestampMs, START + 29_900);
  });
});
