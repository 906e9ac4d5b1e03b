import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  findChip,
  listChipsSysfs,
  open,
  parseGpiodetect,
  type LibgpiodLine,
  type LibgpiodModule,
} from '../../../drivers/backends/linux-chardev/index.js';
import { VirtualClock } from '../../../drivers/hal/clock.js';
import { HalError } from '../../../drivers/hal/errors.js';
import type { PinRef } from '../../../drivers/hal/gpio.js';

const tmp = mkdtempSync(join(tmpdir(), 'wayside-chardev-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fake root with the chips of a Pi 5: the header is on RP1, which probes as gpiochip4. */
function fakeRoot(name: string, nestedLabel = false, rp1Chip = 'gpiochip4'): string {
  const root = join(tmp, name);
  const chips: [string, string][] = [['gpiochip0', 'gpio-brcmstb@107d508500'], [rp1Chip, 'pinctrl-rp1'], ['gpiochip10', 'rpi-firmware-gpio']];
  for (const [chip, label] of chips) {
    const dir = join(root, 'sys', 'bus', 'gpio', 'devices', chip);
    if (nestedLabel) {
      // Kernels that keep the label only on the legacy class device below the gpio device.
      mkdirSync(join(dir, 'gpiochip571'), { recursive: true });
      writeFileSync(join(dir, 'gpiochip571', 'label'), `${label}\n`);
    } else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'label'), `${label}\n`);
    }
  }
  return root;
}

const ROOT = fakeRoot('pi5');
/**
 * For the tests that call the real node-libgpiod / gpioset: the chip resolves to a gpiochip
 * number no machine has, so running the suite on a real Pi 5 never drives header pin 11.
 */
const ROOT_NO_SUCH_CHIP = fakeRoot('pi5-absent-chip', false, 'gpiochip999');
const PIN11: PinRef = { pin: 11, chip: 'pinctrl-rp1', line: 17, sysfs: null };
const kind = (k: string, re?: RegExp) => (e: unknown) => e instanceof HalError && e.kind === k && (!re || re.test(e.message));

describe('gpiochip discovery', () => {
  it('finds chips by label in /sys/bus/gpio/devices, in numeric order', () => {
    assert.deepEqual(listChipsSysfs(ROOT).map((c) => c.name), ['gpiochip0', 'gpiochip4', 'gpiochip10']);
    assert.deepEqual(findChip('pinctrl-rp1', { root: ROOT }), { name: 'gpiochip4', label: 'pinctrl-rp1' });
    assert.equal(findChip('pinctrl-rp1', { root: fakeRoot('nested', true) }).name, 'gpiochip4');
  });

  it('falls back to gpiodetect output, and names what it found when the label is missing', () => {
    const text = 'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)\n';
    assert.deepEqual(parseGpiodetect(text), [
      { name: 'gpiochip0', label: 'pinctrl-bcm2711' },
      { name: 'gpiochip1', label: 'raspberrypi-exp-gpio' },
    ]);
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    assert.equal(findChip('pinctrl-bcm2711', { root: empty, gpiodetect: () => text }).name, 'gpiochip0');
    assert.throws(() => findChip('tegra234-gpio', { root: empty, gpiodetect: () => text }),
      kind('notFound', /"tegra234-gpio" \(found: gpiochip0 \[pinctrl-bcm2711\], gpiochip1 \[raspberrypi-exp-gpio\]\)/));
  });
});

/** A fake node-libgpiod: lines keyed chip:offset, with the kernel's claim and active-low rules. */
function fakeLibgpiod() {
  const state = {
    opened: [] as string[],
    requests: [] as unknown[][],
    lines: new Map<string, { raw: 0 | 1; activeLow: boolean; dir: 'in' | 'out'; held: boolean }>(),
    heldElsewhere: new Set<string>(),
    stuck: new Map<string, 0 | 1>(),
  };
  const errno = (code: string, msg: string) => Object.assign(new Error(`${msg}, ${code}`), { code });
  class Chip {
    constructor(readonly id: string) {
      state.opened.push(id);
    }
  }
  class Line implements LibgpiodLine {
    static RequestFlags = { OPEN_DRAIN: 1, OPEN_SOURCE: 2, ACTIVE_LOW: 4 };
    private readonly key: string;
    constructor(chip: Chip, offset: number) {
      this.key = `${chip.id}:${offset}`;
    }
    private st() {
      const st = state.lines.get(this.key);
      if (!st?.held) throw errno('EPERM', '::getValue');
      return st;
    }
    private claim(dir: 'in' | 'out', flags: number, raw: 0 | 1) {
      if (state.heldElsewhere.has(this.key)) throw errno('EBUSY', '::requestOutputModeFlags');
      const prev = state.lines.get(this.key);
      state.lines.set(this.key, { raw: prev?.raw ?? raw, activeLow: (flags & 4) !== 0, dir, held: true });
    }
    requestOutputModeFlags(consumer: string, flags: number, defaultValue = 0) {
      state.requests.push(['out', this.key, consumer, flags, defaultValue]);
      this.claim('out', flags, 0);
      this.setValue(defaultValue as 0 | 1);
    }
    requestInputModeFlags(consumer: string, flags: number) {
      state.requests.push(['in', this.key, consumer, flags]);
      this.claim('in', flags, 0);
    }
    getValue(): 0 | 1 {
      const st = this.st();
      const raw = state.stuck.get(this.key) ?? st.raw;
      return (raw ^ (st.activeLow ? 1 : 0)) as 0 | 1;
    }
    setValue(v: 0 | 1) {
      const st = this.st();
      st.raw = (v ^ (st.activeLow ? 1 : 0)) as 0 | 1;
    }
    release() {
      state.lines.get(this.key)!.held = false;
    }
  }
  const lib = { Chip, Line } as unknown as LibgpiodModule;
  return { lib, state };
}

describe('linux-chardev with node-libgpiod (fake binding)', () => {
  async function setup() {
    const f = fakeLibgpiod();
    const clock = new VirtualClock();
    const { gpio } = await open({ clock, root: ROOT }, { loadLibgpiod: async () => f.lib, pollMs: 5 });
    return { ...f, clock, gpio };
  }

  it('requests the line on the chip found by label, with active-low as a kernel flag', async () => {
    const { gpio, state } = await setup();
    assert.equal(gpio.lines.kind, 'node-libgpiod');
    const red = gpio.output(PIN11, { activeLow: true });
    assert.deepEqual(state.opened, ['gpiochip4']);
    assert.deepEqual(state.requests, [['out', 'gpiochip4:17', 'wayside', 4, 0]]);
    assert.equal(state.lines.get('gpiochip4:17')!.raw, 1, 'active-low off = electrically high');
    red.write(1);
    assert.equal(state.lines.get('gpiochip4:17')!.raw, 0);
    assert.equal(red.readbackIsReal, true);
    assert.equal(red.read(), 1);
  });

  it('reads outputs back from the line, so a stuck driver shows', async () => {
    const { gpio, state } = await setup();
    const green = gpio.output({ pin: 13, chip: 'pinctrl-rp1', line: 27 });
    state.stuck.set('gpiochip4:27', 1);
    green.write(0);
    assert.equal(green.read(), 1);
  });

  it('maps EBUSY with a hint and refuses a second claim in-process', async () => {
    const { gpio, state } = await setup();
    state.heldElsewhere.add('gpiochip4:17');
    assert.throws(() => gpio.output(PIN11), kind('busy', /header pin 11 \(pinctrl-rp1 line 17 on gpiochip4\).*gpioinfo/));
    gpio.output({ pin: 13, chip: 'pinctrl-rp1', line: 27 });
    assert.throws(() => gpio.input({ pin: 13, chip: 'pinctrl-rp1', line: 27 }), kind('busy', /this process/));
  });

  it('a chip label that is not on this machine, or a pin without chip/line, is a clear error', async () => {
    const { gpio } = await setup();
    assert.throws(() => gpio.output({ pin: 7, chip: 'tegra234-gpio', line: 144 }), kind('notFound', /header pin 7.*tegra234-gpio.*found: gpiochip0/));
    assert.throws(() => gpio.output({ pin: 1 }), kind('invalid', /header pin 1/));
  });

  it('samples inputs on the clock and debounces them', async () => {
    const { gpio, state, clock } = await setup();
    const loop = gpio.input({ pin: 37, chip: 'pinctrl-rp1', line: 26 }, { debounceMs: 20 });
    assert.deepEqual(state.requests.at(-1), ['in', 'gpiochip4:26', 'wayside', 0]);
    const edges: [number, number][] = [];
    loop.onChange((l, t) => edges.push([l, t]));
    clock.advance(100);
    state.lines.get('gpiochip4:26')!.raw = 1; // sampled at 105
    clock.advance(10);
    state.lines.get('gpiochip4:26')!.raw = 0; // chatter, sampled at 115
    clock.advance(5);
    state.lines.get('gpiochip4:26')!.raw = 1; // sampled at 120
    clock.advance(60);
    assert.deepEqual(edges, [[1, 140]]);
    assert.equal(loop.read(), 1);
  });

  it('close releases lines and stops sampling', async () => {
    const { gpio, state, clock } = await setup();
    const loop = gpio.input({ pin: 37, chip: 'pinctrl-rp1', line: 26 });
    const out = gpio.output(PIN11);
    assert.equal(clock.pending, 1, 'one sampling timer for all inputs');
    loop.close();
    assert.equal(clock.pending, 0);
    assert.equal(state.lines.get('gpiochip4:26')!.held, false);
    await gpio.close();
    assert.equal(state.lines.get('gpiochip4:17')!.held, false);
    assert.throws(() => out.write(1), kind('invalid', /after close/));
  });

  it('loads the real node-libgpiod, which reports a missing /dev/gpiochipN as notFound', async () => {
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT_NO_SUCH_CHIP });
    assert.equal(gpio.lines.kind, 'node-libgpiod', 'node-libgpiod is an optionalDependency built against libgpiod-dev');
    assert.throws(() => gpio.output(PIN11), (e: unknown) => e instanceof HalError && e.kind === 'notFound' && /gpiochip999/.test(e.message));
  });
});

/** Fake libgpiod 1.6 tools as shell scripts that keep line levels in files under `dir`. */
function fakeTools(name: string) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const script = (file: string, body: string) => {
    const p = join(dir, file);
    writeFileSync(p, `#!/bin/sh\nD='${dir}'\necho "$0 $*" | sed "s|$D/||" >> "$D/calls"\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const tools = {
    gpioset: script('gpioset', [
      'if [ -e "$D/busy" ]; then echo "gpioset: error setting the GPIO line values: Device or resource busy" >&2; exit 1; fi',
      'for a in "$@"; do case "$a" in *=*) echo "${a#*=}" > "$D/level-${a%%=*}";; esac; done',
    ].join('\n')),
    gpioget: script('gpioget', 'for a in "$@"; do :; done; cat "$D/level-$a" 2>/dev/null || echo 0'),
    gpiomon: script('gpiomon', 'printf "1\\n0\\n1\\n"; exec sleep 30'),
    gpiodetect: script('gpiodetect', 'echo "gpiochip4 [pinctrl-rp1] (54 lines)"'),
  };
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : []);
  return { dir, tools, calls };
}

const noBinding = async (): Promise<LibgpiodModule> => {
  throw new Error('Cannot find module node-libgpiod');
};

describe('linux-chardev with the gpioset/gpioget/gpiomon tools', () => {
  it('falls back to the tools; writes run gpioset --mode=exit with -l for active-low', async () => {
    const t = fakeTools('tools-write');
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT }, { loadLibgpiod: noBinding, tools: t.tools });
    assert.equal(gpio.lines.kind, 'gpio-tools');
    const red = gpio.output(PIN11, { activeLow: true });
    red.write(1);
    assert.deepEqual(t.calls(), ['gpioset -l --mode=exit gpiochip4 17=0', 'gpioset -l --mode=exit gpiochip4 17=1']);
    assert.equal(red.readbackIsReal, false);
    assert.equal(red.read(), 1, 'last written level: the tools cannot read an output back');
  });

  it('maps the tools\' strerror text to HalError kinds', async () => {
    const t = fakeTools('tools-busy');
    writeFileSync(join(t.dir, 'busy'), '');
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT }, { loadLibgpiod: noBinding, tools: t.tools });
    assert.throws(() => gpio.output(PIN11), kind('busy', /Device or resource busy/));
    const missing = await open({ clock: new VirtualClock(), root: ROOT }, { loadLibgpiod: noBinding, tools: { ...t.tools, gpioset: join(t.dir, 'nope') } });
    assert.throws(() => missing.gpio.output(PIN11), kind('notFound', /install the Debian package "gpiod"/));
  });

  it('inputs read the level with gpioget, then follow gpiomon edges; close kills gpiomon', { timeout: 20_000 }, async () => {
    const t = fakeTools('tools-input');
    writeFileSync(join(t.dir, 'level-26'), '0\n');
    const clock = new VirtualClock();
    const { gpio } = await open({ clock, root: ROOT }, { loadLibgpiod: noBinding, tools: t.tools });
    const errors: HalError[] = [];
    gpio.onError((e) => errors.push(e));
    const loop = gpio.input({ pin: 37, chip: 'pinctrl-rp1', line: 26 });
    assert.equal(loop.read(), 0);
    const edges: number[] = [];
    const got3 = new Promise<void>((resolve) =>
      loop.onChange((l) => {
        edges.push(l);
        if (edges.length === 3) resolve();
      }),
    );
    await got3; // the fake gpiomon prints three edges
    assert.deepEqual(edges, [1, 0, 1]);
    assert.deepEqual(t.calls().slice(0, 2), ['gpioget gpiochip4 26', 'gpiomon -b -F %e gpiochip4 26']);
    loop.close();
    await gpio.close();
    assert.deepEqual(errors, [], 'a monitor killed by close is not an error');
  });

  it('reports a gpiomon that dies while its input is open', { timeout: 20_000 }, async () => {
    const t = fakeTools('tools-mondie');
    writeFileSync(t.tools.gpiomon, '#!/bin/sh\necho "gpiomon: error waiting for events: No such device" >&2\nexit 1\n');
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT }, { loadLibgpiod: noBinding, tools: t.tools });
    const err = await new Promise<HalError>((resolve) => {
      gpio.onError(resolve);
      gpio.input({ pin: 37, chip: 'pinctrl-rp1', line: 26 });
    });
    assert.equal(err.kind, 'notFound');
    assert.match(err.message, /linux-chardev gpiochip4 \[pinctrl-rp1\] line 26 monitor: gpiomon: error waiting/);
    await gpio.close();
  });

  it('a missing gpiomon is reported once, naming the package to install', { timeout: 20_000 }, async () => {
    const t = fakeTools('tools-nomon');
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT }, { loadLibgpiod: noBinding, tools: { ...t.tools, gpiomon: join(t.dir, 'absent') } });
    const errors: HalError[] = [];
    await new Promise<void>((resolve) => {
      gpio.onError((e) => {
        errors.push(e);
        setTimeout(resolve, 50); // give a second report (from 'close') the chance to arrive
      });
      gpio.input({ pin: 37, chip: 'pinctrl-rp1', line: 26 });
    });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.kind, 'notFound');
    assert.match(errors[0]!.message, /install the Debian package "gpiod"/);
    await gpio.close();
  });

  it('runs the real libgpiod 1.6 gpioset, which reports a missing chip as notFound', async () => {
    const { gpio } = await open({ clock: new VirtualClock(), root: ROOT_NO_SUCH_CHIP }, { loadLibgpiod: noBinding });
    assert.throws(() => gpio.output(PIN11), kind('notFound', /gpioset: .*No such file or directory/));
  });
});
