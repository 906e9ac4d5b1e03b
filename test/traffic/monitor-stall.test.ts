import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { VirtualClock, type Clock, type TimerHandle } from '../../drivers/hal/clock.js';
import type { MonitorTrip } from '../../firmware/traffic/conflict-monitor.js';
import { monitorOnHeads } from './fixtures/monitor-rig.js';

/**
 * The monitor shares the control thread with the controller. A stall of the whole thread (a GC,
 * the OS starving the process) delays both; afterwards the monitor's overdue sample may run
 * before the controller's overdue tick. Here time is moved by hand and samples and beats are
 * called in the order a stalled event loop would run them.
 */
class HandClock implements Clock {
  t = 0;
  now(): number {
    return this.t;
  }
  setTimeout(): TimerHandle {
    return { id: 0 };
  }
  setInterval(): TimerHandle {
    return { id: 0 };
  }
  clearTimer(): void {}
}

function rig() {
  const clock = new HandClock();
  const { heads, monitor } = monitorOnHeads(clock, new SimGpio(new VirtualClock(0)), [2, 4]);
  for (const h of heads) h.red.write(1);
  const trips: MonitorTrip[] = [];
  monitor.onTrip((t) => trips.push(t));
  monitor.start();
  /** Normal running: a sample every 50 ms, a beat every 100 ms, for `ms`. */
  const run = (ms: number, beating = true) => {
    for (let k = 0; k < ms / 50; k++) {
      clock.t += 50;
      if (beating && clock.t % 100 === 0) monitor.heartbeat();
      monitor.sample();
    }
  };
  return { clock, monitor, trips, run, heads };
}

describe('conflict monitor after a stall of the whole thread', () => {
  it('does not trip when its overdue sample runs before the controller’s overdue beat', () => {
    const r = rig();
    r.run(1000);
    r.clock.t += 800; // the thread stalls for 800 ms: neither timer runs
    r.monitor.sample(); // the monitor's timer happens to fire first…
    r.monitor.heartbeat(); // …then the controller's
    r.run(1000);
    assert.deepEqual(r.trips, []);
  });

  it('still trips a dead controller after a stall, one sample later than without the stall', () => {
    const r = rig();
    r.run(1000);
    r.clock.t += 800;
    r.monitor.sample();
    assert.equal(r.trips.length, 0, 'the sample right after the stall is excused');
    r.run(50, false);
    assert.equal(r.trips.length, 1);
    assert.equal(r.trips[0]!.fault, 'heartbeat');
    assert.ok(r.monitor.tripped);
  });

  it('does not excuse two stalled samples in a row (a thread starved for good still ends in flash)', () => {
    const r = rig();
    r.run(1000);
    r.clock.t += 800;
    r.monitor.sample();
    r.clock.t += 800;
    r.monitor.sample();
    assert.equal(r.trips.length, 1);
    assert.equal(r.trips[0]!.fault, 'heartbeat');
  });

  it('without a stall, a silent heartbeat trips at the first sample past the timeout, as before', () => {
    const r = rig();
    r.run(1000);
    r.run(400, false);
    assert.equal(r.trips.length, 1);
    assert.equal(r.trips[0]!.fault, 'heartbeat');
    assert.ok(r.trips[0]!.t <= 1000 + 350, `tripped at ${r.trips[0]!.t}`);
  });

  it('a stall never excuses a conflict: both greens after the stall trip within the persistence time', () => {
    const r = rig();
    r.run(1000);
    r.heads[0]!.red.write(0);
    r.heads[0]!.green.write(1);
    r.heads[1]!.red.write(0);
    r.heads[1]!.green.write(1);
    r.clock.t += 800;
    r.monitor.sample();
    r.monitor.heartbeat();
    r.run(300);
    assert.equal(r.trips[0]?.fault, 'conflict');
  });
});
