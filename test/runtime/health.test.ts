import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { ControlLoop } from '../../firmware/runtime/control-loop.js';
import { evaluateHealth, Heartbeat } from '../../firmware/runtime/heartbeat.js';

describe('health', () => {
  const base = { lastTickAt: 1000, ticks: 5, monitorHealthy: true, running: true, periodMs: 10, safeState: false };

  it('healthy while the loop ticks and the monitor is healthy', () => {
    assert.equal(evaluateHealth(base, 1100, 500).ok, true);
  });
  it('unhealthy when the last tick is older than the limit', () => {
    const h = evaluateHealth(base, 1600, 500);
    assert.equal(h.ok, false);
    assert.match(h.reasons.join(), /stalled: last tick 600 ms ago/);
  });
  it('unhealthy when the monitor is not healthy, when flashing, before the first tick and after stop', () => {
    assert.equal(evaluateHealth({ ...base, monitorHealthy: false }, 1000, 500).ok, false);
    assert.equal(evaluateHealth({ ...base, safeState: true }, 1000, 500).ok, false);
    assert.equal(evaluateHealth({ ...base, ticks: 0 }, 1000, 500).ok, false);
    assert.equal(evaluateHealth({ ...base, running: false }, 1000, 500).ok, false);
  });
});

describe('ControlLoop', () => {
  it('ticks at its period, beats the shared heartbeat and pets the watchdog only on healthy ticks', () => {
    const clock = new VirtualClock();
    let healthy = true;
    let pets = 0;
    const steps: number[] = [];
    const hb = new Heartbeat();
    const loop = new ControlLoop(clock, {
      periodMs: 10,
      step: (t) => steps.push(t),
      monitorHealthy: () => healthy,
      onHealthyTick: () => pets++,
      onError: (e) => assert.fail(String(e)),
      heartbeat: hb,
      hrNow: () => clock.now(),
    });
    loop.start();
    clock.advance(50);
    assert.deepEqual(steps, [10, 20, 30, 40, 50]);
    assert.equal(pets, 5);
    healthy = false;
    clock.advance(30);
    assert.equal(pets, 5, 'no pets while the monitor is unhealthy');
    assert.equal(hb.read().ticks, 8);
    assert.equal(hb.read().monitorHealthy, false);
    loop.stop();
    assert.equal(hb.read().running, false);
  });

  it('a step that throws is reported and does not pet the watchdog', () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    let pets = 0;
    const loop = new ControlLoop(clock, {
      periodMs: 10,
      step: () => {
        throw new Error('engine broke');
      },
      monitorHealthy: () => true,
      onHealthyTick: () => pets++,
      onError: (e) => errors.push(e),
      hrNow: () => clock.now(),
    });
    loop.start();
    clock.advance(20);
    assert.equal(errors.length, 2);
    assert.equal(pets, 0);
    loop.stop();
  });
});
