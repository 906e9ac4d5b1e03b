import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ATSPM } from '../../firmware/traffic/atspm-codes.js';
import { PhaseEngine, type PhaseIndication } from '../../firmware/traffic/phase-engine.js';
import { DEFAULT_TIMING, type PhaseTiming, type Plan, type StrategySpec } from '../../firmware/traffic/plan.js';
import { createStrategy } from '../../firmware/traffic/strategies/index.js';
import { buildStructure, type StructureSpec } from '../../firmware/traffic/structure.js';

const T: PhaseTiming = { ...DEFAULT_TIMING, minGreenMs: 5000, passageMs: 3000, maxGreenMs: 20000, yellowMs: 3000, redClearMs: 1000 };

function plan(over: Partial<PhaseTiming> = {}, strategy: StrategySpec = { type: 'actuated' }, per: Record<number, Partial<PhaseTiming>> = {}, pattern = 1): Plan {
  const timing = Array.from({ length: 9 }, (_, p) => ({ ...T, ...over, ...(per[p] ?? {}) }));
  return { pattern, timing, strategy };
}

/** An engine stepped every 100 ms, with its lamp changes and ATSPM records collected. */
function rig(spec: StructureSpec, p: Plan, detectors = true) {
  const structure = buildStructure(spec);
  const engine = new PhaseEngine(structure, p, createStrategy(p.strategy), {
    startupFlashMs: 3000,
    startupRedMs: 2000,
    detectors: detectors ? structure.phases.map((ph) => ({ channel: ph, phase: ph, maxPresenceMs: 30000, noActivityMs: 0 })) : [],
  });
  const lamps: { t: number; phase: number; ind: PhaseIndication }[] = [];
  const atspm: { t: number; code: number; param: number }[] = [];
  const faults: string[] = [];
  engine.on((e) => {
    if (e.type === 'indication') lamps.push({ t: e.t, phase: e.phase, ind: e.indication });
    if (e.type === 'atspm') atspm.push({ t: e.t, code: e.code, param: e.param });
    if (e.type === 'detector-fault') faults.push(`${e.channel}:${e.fault}`);
  });
  let t = 0;
  engine.start(0);
  return {
    engine,
    lamps,
    atspm,
    faults,
    get t() {
      return t;
    },
    until(end: number, each?: (t: number) => void) {
      while (t < end) {
        t += 100;
        each?.(t);
        engine.step(t);
      }
    },
    pulse(phase: number) {
      engine.detectorChange(phase, true, t);
      engine.detectorChange(phase, false, t);
    },
    greens(phase: number) {
      return lamps.filter((l) => l.phase === phase && l.ind === 'green').map((l) => l.t);
    },
  };
}

describe('phase engine', () => {
  it('starts in all-red flash, then all red, then the first green', () => {
    const r = rig({ phases: [2, 4, 6, 8] }, plan({ recall: 'min' }));
    assert.deepEqual(r.lamps.filter((l) => l.t === 0).map((l) => l.ind), ['flash-red', 'flash-red', 'flash-red', 'flash-red']);
    r.until(10000);
    const first = r.lamps.filter((l) => l.t > 0);
    assert.deepEqual(first.slice(0, 4).map((l) => [l.t, l.ind]), [[3000, 'red'], [3000, 'red'], [3000, 'red'], [3000, 'red']]);
    const firstGreen = first.find((l) => l.ind === 'green')!;
    assert.equal(firstGreen.t, 5000, 'first green after 3 s flash + 2 s all red');
    assert.ok([2, 6].includes(firstGreen.phase), 'first side of the barrier first');
    assert.ok(r.atspm.some((a) => a.code === ATSPM.UNIT_FLASH_STATUS && a.t === 0));
  });

  it('gaps out after min green without actuations, and maxes out under continuous demand', () => {
    // Phase 2 has no actuation: it gaps out at min green. Phase 4 is hammered: it maxes out.
    const r = rig({ phases: [2, 4] }, plan({ recall: 'min' }));
    r.until(120000, (t) => {
      if (t % 1000 === 0) r.pulse(4);
    });
    const g2 = r.greens(2)[1]!;
    const y2 = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow' && l.t > g2)!;
    assert.equal(y2.t - g2, 5000, 'phase 2 gaps out at its 5 s min green');
    const g4 = r.greens(4)[0]!;
    const y4 = r.lamps.find((l) => l.phase === 4 && l.ind === 'yellow' && l.t > g4)!;
    assert.equal(y4.t - g4, 20000, 'phase 4 maxes out at 20 s');
    assert.ok(r.atspm.some((a) => a.code === ATSPM.GAP_OUT && a.param === 2));
    assert.ok(r.atspm.some((a) => a.code === ATSPM.MAX_OUT && a.param === 4));
  });

  it('extends a green while vehicles keep coming within the passage time', () => {
    const r = rig({ phases: [2, 4] }, plan({ recall: 'min' }));
    // Vehicles on phase 2 every 2 s from its green until 15 s into it, then nothing.
    r.until(6000);
    const g = r.greens(2)[0]!;
    r.until(g + 15000, (t) => {
      if ((t - g) % 2000 === 0) r.pulse(2);
    });
    r.until(g + 30000);
    const y = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow')!;
    assert.equal(y.t - g, 17000, 'last actuation at 14 s + 3 s passage');
  });

  it('both rings cross the barrier together; a ring that finishes first dwells', () => {
    const r = rig({ phases: [2, 4, 6, 8] }, plan({ recall: 'min' }));
    // Phase 6 keeps getting vehicles for 12 s, phase 2 none: 2 must dwell in green until 6 ends.
    r.until(5000);
    const g = r.greens(2)[0]!;
    assert.equal(r.greens(6)[0], g);
    r.until(g + 12000, (t) => {
      if ((t - g) % 1000 === 0) r.pulse(6);
    });
    r.until(g + 40000);
    const y2 = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow')!;
    const y6 = r.lamps.find((l) => l.phase === 6 && l.ind === 'yellow')!;
    assert.equal(y2.t, y6.t, 'both rings terminate together at the barrier');
    assert.equal(r.greens(4)[0], r.greens(8)[0], 'and start the other side together');
    assert.equal(r.greens(4)[0], y2.t + 4000, 'after yellow + red clearance');
    assert.ok(r.atspm.some((a) => a.code === ATSPM.BARRIER_TERMINATION));
  });

  it('skips phases without demand and logs them', () => {
    const r = rig({ phases: [1, 2, 3, 4, 5, 6, 7, 8] }, plan());
    r.until(90000, (t) => {
      if (t % 10000 === 0) {
        r.pulse(2);
        r.pulse(4);
      }
    });
    assert.ok(r.greens(2).length >= 2 && r.greens(4).length >= 2);
    for (const p of [1, 3, 5, 6, 7, 8]) assert.deepEqual(r.greens(p), [], `phase ${p} never called, never served`);
    assert.ok(r.atspm.some((a) => a.code === ATSPM.PHASE_SKIPPED && a.param === 1));
  });

  it('rests in green when nobody else is waiting', () => {
    const r = rig({ phases: [2, 4] }, plan({}, { type: 'actuated' }, { 2: { recall: 'min' } }));
    r.until(100000);
    assert.equal(r.greens(2).length, 1);
    assert.equal(r.engine.indication(2), 'green');
    r.pulse(4);
    r.until(r.t + 6000);
    assert.equal(r.engine.indication(4), 'green', 'a call ends the rest');
  });

  it('a plan change never shortens the running yellow or red clearance', () => {
    const long = plan({ recall: 'min', yellowMs: 5000, redClearMs: 2500 });
    const short = plan({ recall: 'min', yellowMs: 3000, redClearMs: 0, minGreenMs: 2000 }, { type: 'actuated' }, {}, 2);
    const r = rig({ phases: [2, 4] }, long);
    r.until(5000 + 5000 + 100); // green at 5 s, min green 5 s → yellow at 10 s
    assert.equal(r.engine.indication(2), 'yellow');
    r.engine.setPlan(short, createStrategy(short.strategy), r.t);
    r.until(40000);
    const y = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow')!;
    const red = r.lamps.find((l) => l.phase === 2 && l.ind === 'red' && l.t > y.t)!;
    assert.equal(red.t - y.t, 5000, 'yellow kept its 5 s');
    assert.equal(r.greens(4)[0]! - red.t, 2500, 'red clearance kept its 2.5 s');
    // The next clearance uses the new plan.
    const y4 = r.lamps.find((l) => l.phase === 4 && l.ind === 'yellow')!;
    const r4 = r.lamps.find((l) => l.phase === 4 && l.ind === 'red' && l.t > y4.t)!;
    assert.equal(r4.t - y4.t, 3000);
    assert.ok(r.atspm.some((a) => a.code === ATSPM.PATTERN_CHANGE && a.param === 2));
  });

  it('times pedestrian walk and flashing don’t-walk inside the green', () => {
    const r = rig({ phases: [2, 4] }, plan({ recall: 'min' }, { type: 'actuated' }, { 2: { walkMs: 7000, pedClearMs: 9000 } }));
    const peds: string[] = [];
    r.engine.on((e) => e.type === 'ped' && peds.push(`${e.t}:${e.ped}`));
    r.engine.pedCall(2, 0);
    r.until(40000);
    const g = r.greens(2)[0]!;
    assert.deepEqual(peds.filter((x) => Number(x.split(':')[0]) >= g).slice(0, 3), [`${g}:walk`, `${g + 7000}:fdw`, `${g + 16000}:dont-walk`]);
    const y = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow')!;
    assert.ok(y.t - g >= 16000, 'green lasts at least walk + clearance');
    assert.deepEqual(
      r.atspm.filter((a) => a.param === 2 && [21, 22, 23].includes(a.code)).map((a) => a.code),
      [21, 22, 23],
    );
  });

  it('a detector stuck on is diagnosed (max presence) and its phase goes to max recall', () => {
    const r = rig({ phases: [2, 4] }, plan({}, { type: 'actuated' }, { 2: { recall: 'min' } }));
    r.until(6000);
    r.engine.detectorChange(4, true, r.t); // and never off again
    r.until(200000);
    assert.deepEqual(r.faults, ['4:max-presence']);
    assert.ok(r.atspm.some((a) => a.code === ATSPM.DETECTOR_FAULT_OTHER && a.param === 4));
    const snap = r.engine.snapshot();
    assert.equal(snap.phases.find((p) => p.phase === 4)!.detectorFault, true);
    // Degraded mode: phase 4 keeps being served, to max green, every cycle.
    const after = r.greens(4).filter((t) => t > 40000);
    assert.ok(after.length >= 3, `phase 4 served ${after.length} times after the fault`);
    const y = r.lamps.find((l) => l.phase === 4 && l.ind === 'yellow' && l.t > after[0]!)!;
    assert.equal(y.t - after[0]!, 20000, 'max recall: runs to max green');
    // Releasing the detector restores it.
    r.engine.detectorChange(4, false, r.t);
    assert.deepEqual(r.faults, ['4:max-presence', '4:restored']);
  });

  it('a chattering detector is failed as erratic (88) and restored after a calm minute', () => {
    const structure = buildStructure({ phases: [2, 4] });
    const p = plan({}, { type: 'actuated' }, { 2: { recall: 'min' } });
    const engine = new PhaseEngine(structure, p, createStrategy(p.strategy), {
      startupFlashMs: 0,
      detectors: [{ channel: 7, phase: 4, maxPresenceMs: 0, noActivityMs: 0, erraticPerMin: 70 }],
    });
    const codes: number[] = [];
    engine.on((e) => e.type === 'atspm' && e.param === 7 && e.code >= 83 && e.code <= 88 && codes.push(e.code));
    engine.start(0);
    for (let t = 100; t <= 180000; t += 100) {
      if (t < 60000 && t % 500 === 0) engine.detectorChange(7, (t / 500) % 2 === 0, t); // 60 on-edges a minute... and more
      if (t < 60000 && t % 300 === 0) engine.detectorChange(7, (t / 300) % 2 === 0, t);
      engine.step(t);
    }
    assert.deepEqual(codes, [ATSPM.DETECTOR_EXCESSIVE_CHANGE, ATSPM.DETECTOR_RESTORED]);
  });

  it('takes compatibility from the site: a forbidden pair is never green together', () => {
    // Site allows only (4,8): 2 and 6 are in different rings but must run one after the other.
    const r = rig({ phases: [2, 4, 6, 8], compatible: [[4, 8]] }, plan({ recall: 'min' }));
    r.until(200000);
    assert.ok(r.greens(2).length > 2 && r.greens(6).length > 2);
    const on = new Map<number, PhaseIndication>();
    for (const l of r.lamps) {
      on.set(l.phase, l.ind);
      const g2 = on.get(2) === 'green' || on.get(2) === 'yellow';
      const g6 = on.get(6) === 'green' || on.get(6) === 'yellow';
      assert.ok(!(g2 && g6), `2 and 6 together at ${l.t}`);
    }
    assert.equal(r.engine.guardRefusals, 0);
  });

  it('fixed strategy runs the splits to the ms', () => {
    const r = rig({ phases: [2, 4] }, plan({ recall: 'min', maxGreenMs: 30000 }, { type: 'fixed', cycleMs: 60000, greenMs: { 2: 27000, 4: 25000 } }), false);
    r.until(200000);
    const g2 = r.greens(2);
    assert.equal(g2[2]! - g2[1]!, 60000, 'cycle');
    const y = r.lamps.find((l) => l.phase === 2 && l.ind === 'yellow' && l.t > g2[1]!)!;
    assert.equal(y.t - g2[1]!, 27000);
  });

  it('rejects a plan whose yellow is below the 3 s floor', () => {
    assert.throws(() => rig({ phases: [2] }, plan({ yellowMs: 2500 })), /yellowMs/);
  });

  it('refuses a ring structure where one ring crosses the barrier twice', () => {
    assert.throws(() => buildStructure({ phases: [1, 3, 2, 4], rings: [[1, 3, 2, 4], [5, 6, 7, 8]] }), /crosses a barrier more than once/);
  });
});
