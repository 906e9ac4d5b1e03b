import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import { rig } from './fixtures/monitor-rig.js';

describe('conflict monitor', () => {
  it('never trips on a conflicting glitch shorter than 200 ms, whatever its phase against the sampling', () => {
    for (let offset = 0; offset < 50; offset += 7) {
      for (const len of [50, 120, 199]) {
        const r = rig();
        r.clock.advance(1000 + offset);
        r.show(2, 'green');
        r.show(4, 'green');
        r.clock.advance(len);
        r.show(4, 'red');
        r.clock.advance(2000);
        assert.deepEqual(r.trips, [], `glitch of ${len} ms at offset ${offset}`);
      }
    }
  });

  it('trips on conflicting greens within 450 ms (and not before 200 ms)', () => {
    for (let offset = 0; offset < 50; offset += 7) {
      const r = rig();
      r.clock.advance(1000 + offset);
      const t0 = r.clock.now();
      r.show(2, 'green');
      r.show(4, 'green');
      r.clock.advance(1000);
      assert.equal(r.trips.length, 1);
      const dt = r.trips[0]!.t - t0;
      assert.ok(dt >= 200 && dt <= 450, `tripped after ${dt} ms`);
      assert.equal(r.trips[0]!.fault, 'conflict');
      assert.deepEqual([...r.trips[0]!.channels].sort(), [2, 4]);
    }
  });

  it('compatible channels may be green together', () => {
    const r = rig();
    r.show(2, 'green');
    r.show(6, 'green');
    r.clock.advance(60000);
    assert.deepEqual(r.trips, []);
  });

  it('trips on green and yellow together, and on a channel with no indication', () => {
    const a = rig();
    a.clock.advance(500);
    a.out.get(2)!.red.write(0);
    a.out.get(2)!.green.write(1);
    a.out.get(2)!.yellow.write(1);
    a.clock.advance(1000);
    assert.equal(a.trips[0]?.fault, 'dual-indication');
    assert.ok(a.trips[0]!.t - 500 <= 450);

    const b = rig();
    b.clock.advance(500);
    b.gpio.forceOutput(61, 0); // channel 6 red lamp out while red
    b.clock.advance(1000);
    assert.equal(b.trips[0]?.fault, 'red-fail');
    assert.ok(b.trips[0]!.t - 500 <= 450);
  });

  it('trips on a short yellow but not on a full one', () => {
    const r = rig({ minYellowMs: 3000 });
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(5000);
    r.show(2, 'yellow');
    r.clock.advance(3000);
    r.show(2, 'red');
    r.clock.advance(2000);
    assert.deepEqual(r.trips, [], 'a 3 s yellow is fine');
    r.show(2, 'green');
    r.clock.advance(5000);
    r.show(2, 'yellow');
    r.clock.advance(1500);
    r.show(2, 'red');
    r.clock.advance(100);
    assert.equal((r.trips as MonitorTrip[])[0]?.fault, 'short-yellow');
  });

  it('trips when a conflicting green cuts the red clearance short', () => {
    const r = rig({ minRedClearMs: 1000 });
    r.clock.advance(1000);
    r.show(2, 'green');
    r.clock.advance(5000);
    r.show(2, 'yellow');
    r.clock.advance(3000);
    r.show(2, 'red');
    r.clock.advance(300);
    r.show(4, 'green');
    r.clock.advance(1000);
    assert.equal(r.trips[0]?.fault, 'red-clear-cut');

    const ok = rig({ minRedClearMs: 1000 });
    ok.clock.advance(1000);
    ok.show(2, 'green');
    ok.clock.advance(5000);
    ok.show(2, 'yellow');
    ok.clock.advance(3000);
    ok.show(2, 'red');
    ok.clock.advance(1000);
    ok.show(4, 'green');
    ok.clock.advance(5000);
    assert.deepEqual(ok.trips, [], 'a full red clearance is fine');
  });

  it('trips when the controller heartbeat stops, within 450 ms', () => {
    const r = rig();
    r.clock.advance(1000);
    r.stopHeartbeat();
    const t0 = r.clock.now();
    r.clock.advance(1000);
    assert.equal(r.trips[0]?.fault, 'heartbeat');
    assert.ok(r.trips[0]!.t - t0 <= 450, `${r.trips[0]!.t - t0} ms`);
  });

  it('on a trip flashes every red at 1 Hz from its own timer, latched until reset, refusing reset while the fault is present', () => {
    const r = rig();
    r.clock.advance(1000);
    r.gpio.forceOutput(43, 1); // channel 4 green load switch welded on
    r.show(2, 'green'); // and the controller gives 2 its green
    r.clock.advance(300);
    assert.equal(r.trips[0]?.fault, 'conflict');
    const tt = r.trips[0]!.t;
    // Controller still tries to drive: the transfer has the lamps.
    const reds = (): number[] => [21, 41, 61].map((p) => r.gpio.physical(p)!);
    const samples: number[][] = [];
    for (let k = 0; k < 8; k++) {
      r.clock.runUntil(tt + 250 + k * 250);
      samples.push(reds());
    }
    assert.deepEqual(samples.map((s) => s[0]), [1, 0, 0, 1, 1, 0, 0, 1], `1 Hz, 50 % duty: ${JSON.stringify(samples)} trip at ${tt}`);
    assert.ok(samples.every((s) => s[0] === s[1] && s[1] === s[2]), 'all reds flash together');
    assert.equal(r.gpio.physical(23), 0, 'channel 2 green is off');

    const refused = r.monitor.reset();
    assert.equal(refused.ok, false);
    assert.match((refused as { reason: string }).reason, /channel 4/);
    r.gpio.forceOutput(43, null); // repaired
    r.clock.advance(10000);
    assert.equal(r.monitor.tripped, true, 'still latched after the fault went away');
    assert.deepEqual(r.monitor.reset(), { ok: true });
    assert.equal(r.transfer.engaged, false);
    assert.deepEqual(reds(), [1, 1, 1], 'all red after the reset');
    assert.equal(r.monitor.state().trips, 1);
    assert.equal(r.monitor.log.length, 1);
  });

  it('refuses a reset while the heartbeat is still absent', () => {
    const r = rig();
    r.stopHeartbeat();
    r.clock.advance(2000);
    assert.equal(r.monitor.tripped, true);
    assert.equal(r.monitor.reset().ok, false);
  });
});
