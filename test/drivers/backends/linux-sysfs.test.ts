import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { open, type OnoffGpio, type OnoffGpioClass } from '../../../drivers/backends/linux-sysfs/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import type { PinRef } from '../../../drivers/hal/gpio.js';

function errno(code: string, n: number, path: string): Error {
  return Object.assign(new Error(`${code}: write, '${path}'`), { code, errno: -n, syscall: 'write', path });
}

/**
 * A fake kernel sysfs GPIO behind a fake onoff Gpio class. Like the kernel, export fails with
 * EINVAL for a number outside every chip, EBUSY for a line someone else holds, EACCES without
 * permission; `value` reads the pin (raw XOR active_low) and raw levels are kept electrical.
 */
class FakeSysfs {
  chips = [{ base: 512, ngpio: 58 }]; // pinctrl-bcm2711 on kernel 6.6+
  heldElsewhere = new Set<number>();
  denied = false;
  exported = new Map<number, { dir: string; activeLow: boolean; raw: 0 | 1; watchers: ((e: null, v: 0 | 1) => void)[] }>();
  constructed: unknown[][] = [];

  Gpio: OnoffGpioClass;

  constructor() {
    const fs = this;
    this.Gpio = class implements OnoffGpio {
      private readonly n: number;
      constructor(n: number, direction: 'in' | 'out' | 'high' | 'low', edge?: string, options?: { activeLow?: boolean }) {
        fs.constructed.push([n, direction, edge, options]);
        if (fs.denied) throw errno('EACCES', 13, '/sys/class/gpio/export');
        if (!fs.chips.some((c) => n >= c.base && n < c.base + c.ngpio)) throw errno('EINVAL', 22, '/sys/class/gpio/export');
        if (fs.heldElsewhere.has(n)) throw errno('EBUSY', 16, '/sys/class/gpio/export');
        const activeLow = options?.activeLow ?? false;
        fs.exported.set(n, { dir: direction === 'in' ? 'in' : 'out', activeLow, raw: direction === 'high' ? 1 : 0, watchers: [] });
        this.n = n;
      }
      private get st() {
        const st = fs.exported.get(this.n);
        if (!st) throw errno('EINVAL', 22, `/sys/class/gpio/gpio${this.n}/value`);
        return st;
      }
      readSync(): 0 | 1 {
        const st = this.st;
        return (st.raw ^ (st.activeLow ? 1 : 0)) as 0 | 1;
      }
      writeSync(v: 0 | 1): void {
        const st = this.st;
        if (st.dir !== 'out') throw errno('EPERM', 1, `/sys/class/gpio/gpio${this.n}/value`);
        st.raw = (v ^ (st.activeLow ? 1 : 0)) as 0 | 1;
      }
      watch(cb: (e: null, v: 0 | 1) => void): void {
        this.st.watchers.push(cb);
      }
      unwatchAll(): void {
        this.st.watchers = [];
      }
      unexport(): void {
        fs.exported.delete(this.n);
      }
    };
  }

  /** The electrical level on an input changes (an interrupt fires). */
  drive(n: number, raw: 0 | 1): void {
    const st = this.exported.get(n)!;
    st.raw = raw;
    const v = (raw ^ (st.activeLow ? 1 : 0)) as 0 | 1;
    for (const w of st.watchers) w(null, v);
  }
}

const root = mkdtempSync(join(tmpdir(), 'wayside-sysfs-'));
mkdirSync(join(root, 'sys', 'class', 'gpio'), { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

async function setup() {
  const fake = new FakeSysfs();
  const clock = new VirtualClock();
  const { gpio } = await open({ clock, root }, { loadOnoff: async () => fake.Gpio });
  return { fake, clock, gpio };
}

// Pi 4, header pin 11 = BCM 17, base 512 on kernel 6.6+.
const PIN11: PinRef = { pin: 11, chip: 'pinctrl-bcm2711', line: 17, sysfs: 529 };
const kind = (k: string, re?: RegExp) => (e: unknown) => e instanceof HalError && e.kind === k && (!re || re.test(e.message));

describe('linux-sysfs backend (fake onoff)', () => {
  it('exports an output by its sysfs number, starts it low and writes / reads back', async () => {
    const { fake, gpio } = await setup();
    const out = gpio.output(PIN11);
    assert.deepEqual(fake.constructed, [[529, 'low', 'none', { activeLow: false }]]);
    assert.equal(out.readbackIsReal, true);
    out.write(1);
    assert.equal(fake.exported.get(529)!.raw, 1);
    assert.equal(out.read(), 1);
    fake.exported.get(529)!.raw = 0; // a shorted output: read() tells the truth
    assert.equal(out.read(), 0);
  });

  it('active-low outputs open electrically high (off) without a glitch and invert writes', async () => {
    const { fake, gpio } = await setup();
    const out = gpio.output(PIN11, { activeLow: true });
    assert.deepEqual(fake.constructed[0], [529, 'high', 'none', { activeLow: true }]);
    assert.equal(out.read(), 0);
    out.write(1);
    assert.equal(fake.exported.get(529)!.raw, 0);
    assert.equal(out.read(), 1);
  });

  it('a pin whose chip is absent (sysfs null) is notFound naming pin, chip and line', async () => {
    const { gpio, fake } = await setup();
    assert.throws(() => gpio.output({ pin: 7, chip: 'tegra234-gpio', line: 144, sysfs: null }),
      kind('notFound', /header pin 7 \(tegra234-gpio line 144\).*linux-chardev/));
    assert.equal(fake.constructed.length, 0);
  });

  it('maps EINVAL (a number for the wrong chip base) with a hint', async () => {
    const { gpio } = await setup();
    // 17 is BCM 17 with the pre-6.6 base 0: wrong on this kernel.
    assert.throws(() => gpio.output({ pin: 11, chip: 'pinctrl-bcm2711', line: 17, sysfs: 17 }),
      (e: unknown) => {
        assert.ok(e instanceof HalError);
        assert.equal(e.kind, 'invalid');
        assert.equal(e.code, 'EINVAL');
        assert.match(e.message, /header pin 11 \(pinctrl-bcm2711 line 17 = gpio17\)/);
        assert.match(e.message, /base/);
        return true;
      });
  });

  it('maps EBUSY (already exported) and EACCES (not in group gpio)', async () => {
    const { gpio, fake } = await setup();
    fake.heldElsewhere.add(529);
    assert.throws(() => gpio.output(PIN11), kind('busy', /already exported/));
    fake.heldElsewhere.clear();
    fake.denied = true;
    assert.throws(() => gpio.input(PIN11), kind('access', /group "gpio"/));
  });

  it('refuses a second claim of the same line in this process', async () => {
    const { gpio } = await setup();
    gpio.output(PIN11);
    assert.throws(() => gpio.input({ ...PIN11 }), kind('busy'));
  });

  it('inputs watch both edges and debounce on the clock', async () => {
    const { fake, clock, gpio } = await setup();
    const loop = gpio.input({ pin: 37, chip: 'pinctrl-bcm2711', line: 26, sysfs: 538 }, { debounceMs: 20 });
    assert.deepEqual(fake.constructed[0], [538, 'in', 'both', { activeLow: false }]);
    const edges: [number, number][] = [];
    loop.onChange((l, t) => edges.push([l, t]));
    clock.advance(1000);
    fake.drive(538, 1);
    clock.advance(8);
    fake.drive(538, 0); // chatter
    clock.advance(2);
    fake.drive(538, 1);
    clock.advance(20);
    assert.deepEqual(edges, [[1, 1030]]);
    assert.equal(loop.read(), 1);
  });

  it('active-low inputs report logical levels from the start', async () => {
    const { fake, gpio } = await setup();
    const loop = gpio.input({ pin: 37, sysfs: 538, chip: 'pinctrl-bcm2711', line: 26 }, { activeLow: true });
    assert.equal(loop.read(), 1, 'raw 0 (card output pulled down) = presence');
    const seen: number[] = [];
    loop.onChange((l) => seen.push(l));
    fake.drive(538, 1);
    assert.deepEqual(seen, [0]);
  });

  it('close() unwatches and unexports; the backend close releases every line', async () => {
    const { fake, gpio } = await setup();
    const out = gpio.output(PIN11);
    const loop = gpio.input({ pin: 37, sysfs: 538, chip: 'pinctrl-bcm2711', line: 26 });
    const seen: number[] = [];
    loop.onChange((l) => seen.push(l));
    loop.close();
    assert.equal(fake.exported.has(538), false);
    assert.throws(() => fake.drive(538, 1));
    assert.deepEqual(seen, []);
    gpio.input({ pin: 37, sysfs: 538, chip: 'pinctrl-bcm2711', line: 26 });
    await gpio.close();
    assert.equal(fake.exported.size, 0);
    assert.throws(() => out.write(1), kind('invalid', /after close/));
  });

  it('a root without /sys/class/gpio points at linux-chardev', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'wayside-nosysfs-'));
    try {
      await assert.rejects(open({ clock: new VirtualClock(), root: empty }, { loadOnoff: async () => new FakeSysfs().Gpio }),
        kind('notFound', /linux-chardev/));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('loads the real onoff module and maps what the real export does', async () => {
    const { gpio } = await open({ clock: new VirtualClock(), root });
    assert.equal(gpio.name, 'linux-sysfs');
    // A number no chip has, so running the tests on a real board never drives a real pin:
    // EINVAL where /sys/class/gpio exists, ENOENT in a container without it.
    assert.throws(() => gpio.output({ pin: 11, chip: 'none', line: 0, sysfs: 99_999 }), (e: unknown) =>
      e instanceof HalError && (e.kind === 'invalid' || e.kind === 'notFound') && /gpio99999/.test(e.message));
  });
});
