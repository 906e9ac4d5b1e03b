import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../drivers/hal/clock.js';
import { twoPhaseCabinet } from './fixtures/two-phase-cabinet.js';

/**
 * Safety review (independent reviewer): max green timing. In NEMA actuated control a phase that
 * rests in green times its maximum from the first conflicting call, not from the start of its
 * green; until then its vehicles keep extending it. Ending it the instant a side-street call
 * arrives gives yellow to main-street vehicles inside their passage time (the dilemma zone the
 * extension protects) and logs a false Max Out (ATSPM 5).
 */
function rig() {
  const clock = new VirtualClock(0);
  const { sim, cab } = twoPhaseCabinet(clock, ['2']);
  const ev: { t: number; kind: string; p: number }[] = [];
  cab.controller.on((e) => {
    if (e.type === 'indication') ev.push({ t: e.t, kind: e.indication, p: e.phase });
    if (e.type === 'atspm' && (e.code === 4 || e.code === 5)) ev.push({ t: e.t, kind: e.code === 4 ? 'gap-out' : 'max-out', p: e.param });
  });
  cab.start();
  // A main-street vehicle every second (well inside the 3 s passage time).
  clock.setInterval(() => {
    sim.setInput(20, 1);
    clock.setTimeout(() => sim.setInput(20, 0), 300);
  }, 1000);
  return { clock, sim, ev };
}

describe('review: max green against a resting green', () => {
  it('a green resting with steady traffic is held to max green counted from the conflicting call', () => {
    const { clock, sim, ev } = rig();
    clock.advance(60_000);
    const call = clock.now();
    sim.setInput(21, 1);
    clock.setTimeout(() => sim.setInput(21, 0), 300);
    clock.advance(40_000);
    const y = ev.find((e) => e.p === 2 && e.kind === 'yellow' && e.t >= call)!;
    assert.ok(y.t - call >= 20_000 - 200, `phase 2 ended ${y.t - call} ms after the side-street call (max green is 20 s from the call)`);
  });

  it('without a resting green, max green holds from the start of green and gap-out works (verified)', () => {
    const { clock, sim, ev } = rig();
    // Side-street call already waiting before the first green: phase 2 times max from its start.
    sim.setInput(21, 1);
    clock.setTimeout(() => sim.setInput(21, 0), 300);
    clock.advance(40_000);
    const g = ev.find((e) => e.p === 2 && e.kind === 'green')!;
    const mo = ev.find((e) => e.p === 2 && e.kind === 'max-out')!;
    assert.equal(mo.t - g.t, 20_000, 'max out exactly at max green');
    const g4 = ev.find((e) => e.p === 4 && e.kind === 'green')!;
    const go = ev.find((e) => e.p === 4 && e.kind === 'gap-out')!;
    assert.ok(go.t - g4.t >= 5000 && go.t - g4.t <= 5000 + 3000 + 200, 'phase 4 (one vehicle) gaps out after min green + passage');
  });
});
