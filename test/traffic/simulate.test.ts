import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseScenario, type ScenarioInput, scenarioProblems } from '../../firmware/traffic/sim/scenario.js';
import { simulate } from '../../firmware/traffic/sim/simulate.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHECKER = resolve(repoRoot, '../shared/tools/traffic_check.py');
const PYTHON = '/usr/bin/python3';
const EXAMPLE = join(repoRoot, 'firmware/traffic/scenarios/example.json');
const tmp = mkdtempSync(join(tmpdir(), 'wayside-traffic-'));

interface Ev {
  t_ms?: number;
  event?: string;
  phase?: number;
  indication?: string;
  fault?: string;
  reason?: string;
}

function run(input: ScenarioInput) {
  const lines: string[] = [];
  const out = simulate(parseScenario(input), { events: (l) => lines.push(l) });
  return { ...out, lines, events: lines.map((l) => JSON.parse(l) as Ev) };
}

/** Runs the independent checker (shared/tools/traffic_check.py) on an events file; fails loudly if it cannot. */
function check(lines: string[], name: string, args: string[] = []): { safe: boolean; changes: number; problems: string[]; trips: number[] } {
  assert.ok(existsSync(PYTHON), `${PYTHON} is required to run the independent safety checker (apt-get install python3)`);
  assert.ok(existsSync(CHECKER), `the safety checker is missing at ${CHECKER} (shared/ must sit beside the repository)`);
  const file = join(tmp, `${name}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  const r = spawnSync(PYTHON, [CHECKER, file, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, `traffic_check.py ${name}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Last indication of each phase and the first trip. */
function afterTrip(events: Ev[]) {
  const trip = events.find((e) => e.event === 'monitor-trip');
  const last = new Map<number, string>();
  for (const e of events) if (e.phase !== undefined) last.set(e.phase, e.indication!);
  const lateOn = trip ? events.filter((e) => e.phase !== undefined && e.t_ms! > trip.t_ms! && e.indication !== 'flash-red') : [];
  return { trip, last, lateOn };
}

const FOUR: Record<string, number> = { '2': 600, '6': 500, '4': 300, '8': 250 };
const TIMING = { yellow_s: 3, red_clear_s: 1 };

describe('traffic simulator', () => {
  it('runs the issue example as written: stuck green at 1200 s → monitor trip → latched flashing red', () => {
    const input = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const { result, events, lines } = run(input);
    assert.deepEqual(Object.keys(result), ['vehicles', 'avg_delay_s', 'per_phase', 'monitor_trips']);
    assert.deepEqual(Object.keys(result.per_phase), ['2', '4']);
    assert.deepEqual(Object.keys(result.per_phase['2']!), ['vehicles', 'avg_delay_s', 'max_queue']);
    assert.equal(result.monitor_trips.length, 1);
    assert.deepEqual(events[0], { event: 'start', phases: [2, 4], compatible: [] });
    const { trip, last, lateOn } = afterTrip(events);
    assert.ok(trip && trip.t_ms! >= 1200000, 'trip after the fault');
    // The fault shows as soon as phase 4 is commanded off its green: within 450 ms of that.
    const off = events.find((e) => e.phase === 4 && e.t_ms! >= 1200000 && e.indication !== 'green');
    const commandedOff = off ? off.t_ms! : trip!.t_ms!;
    assert.ok(trip!.t_ms! - Math.min(commandedOff, trip!.t_ms!) <= 450);
    assert.deepEqual([...last.values()], ['flash-red', 'flash-red'], 'latched to the end of the 10 h run');
    assert.deepEqual(lateOn, []);
    const verdict = check(lines, 'example', ['--fault-at-ms', '1200000', '--yellow-ms', '3000', '--red-clear-ms', '1000']);
    assert.equal(verdict.safe, true);
  });

  for (const type of ['fixed', 'seed', 'actuated', 'max-pressure', 'webster'] as const) {
    it(`a normal hour under ${type} control passes the independent safety checker`, () => {
      const controller: ScenarioInput['controller'] =
        type === 'fixed' ? { type, cycle_s: 60, green_s: { '2': 26, '6': 26, '4': 26, '8': 26 }, ...TIMING } : { type, ...TIMING };
      const { result, lines, info } = run({ duration_s: 3600, seed: 7, volumes_vph: FOUR, controller });
      assert.deepEqual(result.monitor_trips, []);
      assert.equal(info.guard_refusals, 0);
      assert.ok(result.vehicles > 1400, `${result.vehicles} vehicles served`);
      const v = check(lines, `normal-${type}`, ['--yellow-ms', '3000', '--red-clear-ms', '1000']);
      assert.ok(v.changes > 100);
    });
  }

  const FAULT_AT = 1218; // phase 2 green, phase 4 red in the example's fixed plan (cycles start at 8 s)
  for (const kind of ['stuck-green', 'red-lamp-out', 'controller-stall'] as const) {
    it(`fault ${kind} ends in latched flashing red within 450 ms`, () => {
      const input = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
      input.duration_s = 1800;
      input.faults = [{ at_s: FAULT_AT, kind, ...(kind === 'controller-stall' ? {} : { phase: 4 }) }];
      const { result, events, lines } = run(input);
      const before = events.filter((e) => e.phase !== undefined && e.t_ms! < FAULT_AT * 1000);
      const state = new Map(before.map((e) => [e.phase!, e.indication!]));
      assert.equal(state.get(4), 'red', 'the fault hits phase 4 while it is red');
      assert.equal(result.monitor_trips.length, 1);
      const trip = result.monitor_trips[0]!;
      const dt = trip.t_ms - FAULT_AT * 1000;
      assert.ok(dt >= 0 && dt <= 450, `tripped ${dt} ms after the fault`);
      const expect = { 'stuck-green': 'conflict', 'red-lamp-out': 'red-fail', 'controller-stall': 'heartbeat' }[kind];
      assert.equal(trip.fault, expect);
      const { last, lateOn } = afterTrip(events);
      assert.deepEqual([...last.values()], ['flash-red', 'flash-red']);
      assert.deepEqual(lateOn, []);
      check(lines, `fault-${kind}`, ['--fault-at-ms', String(FAULT_AT * 1000), '--yellow-ms', '3000', '--red-clear-ms', '1000']);
    });
  }

  it('fault detector-stuck-on ends in the documented degraded mode: detector fault, max recall, no trip', () => {
    const calls2: number[] = [];
    const lines: string[] = [];
    const out = simulate(
      parseScenario({
        duration_s: 1800,
        volumes_vph: { '2': 600, '4': 100 },
        detector_max_presence_s: 30,
        controller: { type: 'actuated', ...TIMING, max_green_s: 25 },
        faults: [{ at_s: 600, kind: 'detector-stuck-on', phase: 4 }],
      }),
      { events: (l) => lines.push(l), atspm: (t, code, param) => code === 43 && param === 2 && calls2.push(t) },
    );
    const { result, info } = out;
    const events = lines.map((l) => JSON.parse(l) as Ev);
    assert.deepEqual(result.monitor_trips, []);
    assert.deepEqual(info.detector_faults.map((d) => [d.t_ms, d.phase, d.fault]), [[630000, 4, 'max-presence']]);
    assert.ok(events.some((e) => e.event === 'detector-fault'));
    // From then on phase 4 is served every cycle to its max green (25 s), timed (NEMA) from the
    // first call on phase 2 during that green, or from the start of the green if 2 was already
    // waiting; the engine sees a call at its next 100 ms step.
    const greens = events.filter((e) => e.phase === 4 && e.indication === 'green' && e.t_ms! > 640000);
    assert.ok(greens.length >= 10, `${greens.length} greens`);
    for (const green of greens.slice(0, -1)) {
      const g = green.t_ms!;
      const y = events.find((e) => e.phase === 4 && e.indication === 'yellow' && e.t_ms! > g)!;
      const end2 = events.filter((e) => e.phase === 2 && e.indication === 'yellow' && e.t_ms! <= g).at(-1)?.t_ms ?? 0;
      const waiting = calls2.some((t) => t > end2 && t <= g);
      const from = waiting ? g : calls2.find((t) => t > g)!;
      assert.ok(y.t_ms! - from >= 25000 && y.t_ms! - from <= 25100, `phase 4 green at ${g}: yellow ${y.t_ms! - from} ms after max timing began at ${from}`);
    }
    check(lines, 'fault-detector', ['--fault-at-ms', '600000', '--yellow-ms', '3000', '--red-clear-ms', '1000']);
  });

  it('is deterministic by seed', () => {
    const a = run({ duration_s: 900, seed: 3, volumes_vph: FOUR, controller: { type: 'actuated', ...TIMING } });
    const b = run({ duration_s: 900, seed: 3, volumes_vph: FOUR, controller: { type: 'actuated', ...TIMING } });
    const c = run({ duration_s: 900, seed: 4, volumes_vph: FOUR, controller: { type: 'actuated', ...TIMING } });
    assert.deepEqual(a.lines, b.lines);
    assert.deepEqual(a.result, b.result);
    assert.notDeepEqual(a.lines, c.lines);
  });

  it('every shipped scenario example is valid', () => {
    const dir = join(repoRoot, 'firmware/traffic/scenarios');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 5);
    for (const f of files) assert.deepEqual(scenarioProblems(JSON.parse(readFileSync(join(dir, f), 'utf8'))), [], f);
  });

  it('names the offending field when a scenario is invalid', () => {
    const base = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    const cases: [unknown, RegExp][] = [
      [{ ...base, volumes_vph: { '9': 100 } }, /^volumes_vph\.9: /],
      [{ ...base, controller: { ...base.controller, type: 'magic' } }, /^controller\.type: /],
      [{ ...base, faults: [{ at_s: 5, kind: 'stuck-green' }] }, /^faults\.0\.phase: /],
      [{ ...base, faults: [{ at_s: 5, kind: 'stuck-green', phase: 6 }] }, /^faults\.0\.phase: phase 6 is not in use/],
      [{ ...base, duration_s: -1 }, /^duration_s: /],
      [{ ...base, controller: { ...base.controller, yellow_s: 2 } }, /^controller\.yellow_s: /],
      [{ ...base, colour: 'red' }, /^\(root\): .*colour/],
    ];
    for (const [input, re] of cases) {
      const problems = scenarioProblems(input);
      assert.ok(problems.some((p) => re.test(p)), `${re}: ${problems.join(' | ')}`);
    }
    assert.deepEqual(scenarioProblems(base), []);
  });

  it('the CLI prints the --json shape, writes --events and --atspm, and rejects a bad scenario naming file and field', () => {
    const events = join(tmp, 'cli-events.jsonl');
    const atspm = join(tmp, 'cli.csv');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'firmware/cli/main.ts'), 'traffic', 'simulate', ...args], { encoding: 'utf8', cwd: repoRoot });
    const r = cli([EXAMPLE, '--json', '--events', events, '--atspm', atspm]);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['vehicles', 'avg_delay_s', 'per_phase', 'monitor_trips']);
    assert.equal(out.monitor_trips.length, 1);
    assert.ok(typeof out.avg_delay_s === 'number' && out.vehicles > 0);
    const first = JSON.parse(readFileSync(events, 'utf8').split('\n')[0]!);
    assert.deepEqual(first, { event: 'start', phases: [2, 4], compatible: [] });
    assert.match(readFileSync(atspm, 'utf8'), /^SignalID,Timestamp,EventCode,EventParam\n1,2026-01-01 00:00:00\.0,/);

    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(EXAMPLE, 'utf8')), saturation_vph: 'lots' }));
    const e = cli([bad, '--json']);
    assert.equal(e.status, 1);
    assert.match(e.stderr, /bad\.json: saturation_vph: /);
    const cyc = join(tmp, 'cycle.json');
    const c = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    c.controller.cycle_s = 70;
    writeFileSync(cyc, JSON.stringify(c));
    const e2 = cli([cyc]);
    assert.equal(e2.status, 1);
    assert.match(e2.stderr, /cycle\.json: controller\.fixed\.cycle_s: 70 s, but .* add up to 60 s/);
  });
});
