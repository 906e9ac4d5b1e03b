import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SimGpio } from '../../drivers/backends/sim/gpio.js';
import { SignalHead } from '../../drivers/field/signal-head.js';
import { VirtualClock } from '../../drivers/hal/clock.js';
import type { DigitalOut, Level } from '../../drivers/hal/gpio.js';

/** A DigitalOut that records every write in one shared journal. */
function recorder(name: string, journal: string[]): DigitalOut {
  let level: Level = 0;
  return {
    ref: { pin: 0 },
    readbackIsReal: true,
    write(l: Level) {
      journal.push(`${name}=${l}`);
      level = l;
    },
    read: () => level,
    close() {},
  };
}

describe('signal head', () => {
  it('is break-before-make: the old lamp is written off before the new one is written on', () => {
    const j: string[] = [];
    const head = new SignalHead({ red: recorder('R', j), yellow: recorder('Y', j), green: recorder('G', j) });
    head.set('red');
    j.length = 0;
    head.set('green');
    assert.ok(j.indexOf('R=0') < j.indexOf('G=1'), j.join(' '));
    assert.equal(j.at(-1), 'G=1');
    // At no point in the sequence are two lamps commanded on.
    const lit = new Set<string>(['R']);
    for (const w of j) {
      const [n, l] = w.split('=');
      if (l === '1') lit.add(n!);
      else lit.delete(n!);
      assert.ok(lit.size <= 1, `two lamps on after ${w}`);
    }
  });

  it('reads back what the outputs drive, not what was commanded', () => {
    const clock = new VirtualClock();
    const gpio = new SimGpio(clock);
    const head = new SignalHead({ red: gpio.output({ pin: 1 }), yellow: gpio.output({ pin: 2 }), green: gpio.output({ pin: 3 }) });
    head.set('red');
    assert.equal(head.readback().indication, 'red');
    gpio.forceOutput(3, 1); // welded green load switch
    head.set('red');
    assert.equal(head.commanded, 'red');
    const rb = head.readback();
    assert.equal(rb.green, 1);
    assert.equal(rb.indication, 'multiple');
    gpio.forceOutput(3, null);
    gpio.forceOutput(1, 0); // red lamp out
    assert.equal(head.readback().indication, 'dark');
  });

  it('drives active-low outputs through the DigitalOut option', () => {
    const gpio = new SimGpio(new VirtualClock());
    const o = (pin: number) => gpio.output({ pin }, { activeLow: true });
    const head = new SignalHead({ red: o(1), yellow: o(2), green: o(3), walk: o(4), dontWalk: o(5) });
    head.set('yellow');
    head.setPed('walk');
    assert.deepEqual([1, 2, 3, 4, 5].map((p) => gpio.physical(p)), [1, 0, 1, 0, 1], 'lit lamps are electrically low');
    const rb = head.readback();
    assert.equal(rb.indication, 'yellow');
    assert.equal(rb.walk, 1);
    assert.equal(rb.dontWalk, 0);
    head.setPed('dont-walk');
    assert.deepEqual([gpio.physical(4), gpio.physical(5)], [1, 0]);
  });

  it('a head without pedestrian outputs ignores ped commands and reads null', () => {
    const gpio = new SimGpio(new VirtualClock());
    const head = new SignalHead({ red: gpio.output({ pin: 1 }), yellow: gpio.output({ pin: 2 }), green: gpio.output({ pin: 3 }) });
    head.setPed('walk');
    assert.equal(head.hasPed, false);
    assert.equal(head.readback().walk, null);
  });
});
