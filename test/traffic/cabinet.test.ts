import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { controllerSection } from '../../firmware/site/sections/controller.js';
import { parseSite } from '../../firmware/site/load.js';
import { buildCabinet } from '../../firmware/traffic/cabinet.js';
import { resolveController } from '../../firmware/traffic/site-plan.js';
import { StallableClock } from '../../firmware/traffic/sim/stallable-clock.js';

const DEMO = 'firmware/sites/demo.yaml';

/** The demo site's cabinet on the sim backend, as the runtime builds it. */
function demo(extra: Record<string, unknown> = {}) {
  const site = parseSite(readFileSync(DEMO, 'utf8').replace(/\nsensors:[\s\S]*$/, '\n'), DEMO);
  const clock = new VirtualClock(0);
  const ctl = new StallableClock(clock);
  const gpio = new SimGpio(clock);
  const cab = buildCabinet({ clock, controllerClock: ctl, gpio, lamps: site.lamps, detectors: site.detectors, controller: { ...(site.controller ?? {}), ...extra } });
  const greens: number[] = [];
  cab.controller.on((e) => e.type === 'indication' && e.indication === 'green' && greens.push(e.phase));
  return { site, clock, ctl, gpio, cab, greens };
}

describe('controller site section and cabinet', () => {
  it('defaults to actuated NEMA dual ring when the section is absent', () => {
    const r = resolveController(undefined, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(r.plan.strategy.type, 'actuated');
    assert.deepEqual(r.structure.rings, [[1, 2, 3, 4], [5, 6, 7, 8]]);
    assert.equal(r.structure.compatible[2]![6], true);
    assert.equal(r.structure.compatible[2]![4], false);
    assert.equal(r.plan.timing[2]!.yellowMs, 3500);
  });

  it('puts a phase without a detector on min recall (or it could never be served)', () => {
    const r = resolveController(undefined, [2, 4], [2]);
    assert.equal(r.plan.timing[2]!.recall, 'none');
    assert.equal(r.plan.timing[4]!.recall, 'min');
    const explicit = resolveController({ phases: { '4': { recall: 'none' } } }, [2, 4], [2]);
    assert.equal(explicit.plan.timing[4]!.recall, 'none', 'an explicit recall is kept');
  });

  it('validates the section and names the field', () => {
    const bad = controllerSection.safeParse({ strategy: 'fixed' });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues.map((i) => i.path.join('.')), ['fixed']);
    const y = controllerSection.safeParse({ defaults: { yellow_s: 2 } });
    assert.deepEqual(y.error!.issues.map((i) => i.path.join('.')), ['defaults.yellow_s']);
    assert.throws(() => resolveController({ strategy: 'fixed', fixed: { cycle_s: 99, green_s: { '2': 20, '4': 20 } } }, [2, 4]), /^Error: controller\.fixed\.cycle_s: 99 s, but .* 50 s/);
    assert.throws(() => resolveController({ phases_in_use: [3] }, [2, 4]), /controller\.phases_in_use: phase 3 has no lamps/);
  });

  it('runs the demo site: detectors call phases, lamps follow, the monitor stays quiet', () => {
    const { clock, gpio, cab, greens } = demo();
    cab.start();
    // A vehicle on every approach every 20 s, staggered.
    for (let k = 0; k < 8; k++) clock.setInterval(() => {
      gpio.setInput(25 + k, 1);
      clock.setTimeout(() => gpio.setInput(25 + k, 0), 300);
    }, 20000 + 300 * k);
    clock.advance(600_000);
    assert.equal(cab.monitor.tripped, false, JSON.stringify(cab.monitor.state().trip));
    for (let p = 1; p <= 8; p++) assert.ok(greens.filter((g) => g === p).length >= 5, `phase ${p} served`);
    const st = cab.controller.state();
    assert.equal(st.running, true);
    assert.equal(st.engine.mode, 'run');
    assert.equal(st.engine.guardRefusals, 0);
    cab.stop();
  });

  it('a trip latches flashing red; after repair, reset restarts the controller in all red', () => {
    const { clock, gpio, cab, greens } = demo({ defaults: { recall: 'min' } });
    cab.start();
    clock.advance(60_000);
    gpio.forceOutput(12, 1); // phase 4 green welded on (pin 12 in the demo site)
    clock.advance(70_000);
    assert.equal(cab.monitor.tripped, true);
    const trippedAt = cab.monitor.state().trip!.t;
    assert.ok(cab.transfer.engaged);
    assert.equal(cab.monitor.reset().ok, false, 'refused while green 4 is still lit');
    gpio.forceOutput(12, null);
    clock.advance(1000);
    assert.deepEqual(cab.monitor.reset(), { ok: true });
    const after = greens.length;
    // All red for the start-up red time, then service again.
    const reds = [3, 6, 9, 12, 15, 18, 21, 24].map((pin) => gpio.physical(pin));
    assert.deepEqual(reds, [0, 0, 0, 0, 0, 0, 0, 0], 'no green right after the reset');
    clock.advance(60_000);
    assert.ok(greens.length > after, 'serving again');
    assert.equal(cab.monitor.tripped, false);
    assert.ok(trippedAt > 60_000);
  });

  it('drives the pedestrian heads: walk, flashing don’t-walk at 1 Hz, then steady don’t-walk', () => {
    const { clock, gpio, cab } = demo({ phases: { '2': { walk_s: 7, ped_clear_s: 10, recall: 'min' } } });
    cab.start();
    cab.controller.pedCall(2);
    const walk: number[] = [];
    const dw: number[] = [];
    let greenAt = -1;
    cab.controller.on((e) => e.type === 'indication' && e.phase === 2 && e.indication === 'green' && greenAt < 0 && (greenAt = e.t));
    for (let t = 0; t < 40_000; t += 100) {
      clock.advance(100);
      if (greenAt >= 0 && clock.now() - greenAt < 20_000) {
        walk.push(gpio.physical(41)!);
        dw.push(gpio.physical(42)!);
      }
    }
    assert.ok(greenAt > 0);
    // Walk for the first 7 s of green, then don't-walk flashing for 10 s, then steady.
    assert.ok(walk.slice(0, 70).every((x) => x === 1) && walk.slice(71).every((x) => x === 0));
    const fdw = dw.slice(71, 169);
    assert.ok(fdw.includes(0) && fdw.includes(1), 'flashing during clearance');
    const changes = fdw.filter((x, i) => i > 0 && x !== fdw[i - 1]).length;
    assert.ok(changes >= 16 && changes <= 22, `${changes} changes in 10 s at 1 Hz`);
    assert.ok(dw.slice(172).every((x) => x === 1), 'steady don’t-walk after the clearance');
  });

  it('a stalled controller cannot hold the lamps: the monitor flashes them from its own timer', () => {
    const { clock, ctl, gpio, cab } = demo({ defaults: { recall: 'min' } });
    cab.start();
    clock.advance(30_000);
    ctl.stall();
    const t0 = clock.now();
    clock.advance(500);
    assert.equal(cab.monitor.state().trip?.fault, 'heartbeat');
    assert.ok(cab.monitor.state().trip!.t - t0 <= 450);
    const red1 = [1, 4, 7, 10, 13, 16, 19, 22];
    const seen = new Set<string>();
    for (let k = 0; k < 8; k++) {
      clock.advance(250);
      seen.add(red1.map((p) => gpio.physical(p)).join(''));
      assert.deepEqual([3, 6, 9, 12, 15, 18, 21, 24].map((p) => gpio.physical(p)), [0, 0, 0, 0, 0, 0, 0, 0]);
    }
    assert.deepEqual([...seen].sort(), ['00000000', '11111111'], 'all reds flashing together');
  });
});
