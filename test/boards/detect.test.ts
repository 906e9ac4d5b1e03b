import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bigCores, detectBoard, detectionReport, UnknownBoardError } from '../../boards/detect.js';
import { BOARDS, getBoard } from '../../boards/index.js';
import { readProbe } from '../../boards/probe.js';

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function detect(name: string) {
  const probe = await readProbe(root(name));
  const found = detectBoard(probe);
  assert.ok(found.ok, `fixture ${name} should be detected`);
  return { probe, found };
}

describe('board detection from fake roots', () => {
  const cases: [fixture: string, board: string, matched: string][] = [
    ['pi4-kernel5', 'raspberry-pi-4', 'raspberrypi,4-model-b'],
    ['pi4-kernel66', 'raspberry-pi-4', 'raspberrypi,4-model-b'],
    ['pi5', 'raspberry-pi-5', 'raspberrypi,5-model-b'],
    ['jetson-nano', 'jetson-nano', 'nvidia,p3450-0000'],
    ['orin-nano', 'jetson-orin-nano', 'nvidia,p3768-0000+p3767-0005'],
    ['rock-5b', 'rock-5b', 'radxa,rock-5b'],
    ['orange-pi-5', 'orange-pi-5', 'xunlong,orangepi-5'],
  ];
  for (const [fixture, board, matched] of cases) {
    it(`detects ${board} from ${fixture} at board level`, async () => {
      const { found } = await detect(fixture);
      assert.ok(found.ok);
      assert.equal(found.board.id, board);
      assert.equal(found.matched, matched);
      assert.equal(found.level, 'board');
    });
  }

  it('reads model, cpus, capacities, gpiochips and MemTotal from the root', async () => {
    const probe = await readProbe(root('pi4-kernel66'));
    assert.deepEqual(probe.compatible, ['raspberrypi,4-model-b', 'brcm,bcm2711']);
    assert.equal(probe.model, 'Raspberry Pi 4 Model B Rev 1.5');
    assert.deepEqual(
      probe.cpus.map((c) => [c.id, c.part, c.capacity]),
      [0, 1, 2, 3].map((i) => [i, '0xd08', 1024]),
    );
    assert.deepEqual(
      probe.gpioChips.map((c) => [c.label, c.base, c.ngpio]),
      [['pinctrl-bcm2711', 512, 58], ['raspberrypi-exp-gpio', 570, 8]],
    );
    assert.equal(probe.memTotalKb, 8049420);
  });

  it('finds both A76 clusters of a Rock 5B as big by capacity, although they report 1024 and 1017', async () => {
    const { probe, found } = await detect('rock-5b');
    assert.ok(found.ok);
    assert.deepEqual(probe.cpus.map((c) => c.capacity), [530, 530, 530, 530, 1024, 1024, 1017, 1017]);
    assert.deepEqual(bigCores(probe.cpus, found.board), [4, 5, 6, 7]);
  });

  it('falls back to CPU part when cpu_capacity is absent (Orange Pi 5 fixture)', async () => {
    const { probe, found } = await detect('orange-pi-5');
    assert.ok(found.ok);
    assert.ok(probe.cpus.every((c) => c.capacity === null));
    assert.deepEqual(bigCores(probe.cpus, found.board), [4, 5, 6, 7]);
  });

  it('a board-level string beats a SoC-level one even when it comes later in the list', () => {
    const found = detectBoard({ compatible: ['rockchip,rk3588', 'radxa,rock-5b'], model: null });
    assert.ok(found.ok);
    assert.equal(found.board.id, 'rock-5b');
    assert.equal(found.level, 'board');
  });

  it('RK3588 vs RK3588S: the SoC string alone picks the board with that SoC, marked as a SoC match', async () => {
    const { found } = await detect('soc-only-rk3588s');
    assert.ok(found.ok);
    assert.equal(found.board.id, 'orange-pi-5');
    assert.equal(found.level, 'soc');
    const rk3588 = detectBoard({ compatible: ['radxa,rock-5b-plus', 'rockchip,rk3588'], model: null });
    assert.ok(rk3588.ok && rk3588.board.id === 'rock-5b' && rk3588.level === 'board');
  });

  it('accepts every Orin Nano/NX module SKU on both devkit carriers', () => {
    for (const c of ['nvidia,p3768-0000+p3767-0003', 'nvidia,p3768-0000+p3767-0004', 'nvidia,p3509-0000+p3767-0000']) {
      const found = detectBoard({ compatible: [c, 'nvidia,tegra234'], model: null });
      assert.ok(found.ok && found.board.id === 'jetson-orin-nano' && found.level === 'board', c);
    }
  });

  it('an unknown board is a typed error naming what the device tree said and the known boards', async () => {
    const probe = await readProbe(root('unknown-pi3'));
    const found = detectBoard(probe);
    assert.equal(found.ok, false);
    assert.ok(!found.ok);
    assert.ok(found.error instanceof UnknownBoardError);
    assert.deepEqual(found.error.compatible, ['raspberrypi,3-model-b', 'brcm,bcm2837']);
    assert.match(found.error.message, /"raspberrypi,3-model-b", "brcm,bcm2837"/);
    assert.match(found.error.message, /Raspberry Pi 3 Model B Rev 1\.2/);
    for (const b of BOARDS) assert.ok(found.error.message.includes(b.id));
  });

  it('a root without a device tree (x86 laptop) is unknown, not a crash', async () => {
    const probe = await readProbe(root('no-device-tree'));
    assert.deepEqual(probe.compatible, []);
    const found = detectBoard(probe);
    assert.ok(!found.ok);
    assert.match(found.error.message, /no \/proc\/device-tree\/compatible/);
  });

  it('the detect report has exactly the documented keys', async () => {
    const { probe, found } = await detect('orin-nano');
    assert.ok(found.ok);
    const report = detectionReport(probe, found.board);
    assert.deepEqual(Object.keys(report), ['board', 'model', 'soc', 'cpus', 'bigCores', 'gpioChips']);
    assert.deepEqual(report.gpioChips, [
      { label: 'tegra234-gpio-aon', base: 316, ngpio: 32 },
      { label: 'tegra234-gpio', base: 348, ngpio: 164 },
    ]);
    assert.deepEqual(report.bigCores, [0, 1, 2, 3, 4, 5]);
  });
});

describe('board profiles', () => {
  it('every profile is well formed: unique header pins, GPIO pins have chip+line, I2C buses point at i2c pins', () => {
    for (const b of BOARDS) {
      const pins = b.header.map((p) => p.pin);
      assert.equal(new Set(pins).size, pins.length, `${b.id}: duplicate header pin`);
      if (b.headerSize) assert.deepEqual([...pins].sort((x, y) => x - y), Array.from({ length: b.headerSize }, (_, i) => i + 1), `${b.id}: header incomplete`);
      for (const p of b.header.filter((h) => h.function === 'gpio')) {
        assert.ok(p.chip && p.line !== undefined, `${b.id} pin ${p.pin}: gpio without chip/line`);
      }
      if (b.id === 'sim') continue;
      for (const bus of b.i2cBuses) {
        const sda = b.header.find((p) => p.pin === bus.sdaPin);
        const scl = b.header.find((p) => p.pin === bus.sclPin);
        assert.equal(sda?.function, 'i2c-sda', `${b.id} bus ${bus.bus}`);
        assert.equal(scl?.function, 'i2c-scl', `${b.id} bus ${bus.bus}`);
        assert.equal(sda?.i2cBus, bus.bus);
      }
      const all = b.cpu.clusters.flatMap((c) => c.cores);
      for (const core of [...b.affinity.control, ...b.affinity.inference, ...b.affinity.system]) assert.ok(all.includes(core), `${b.id}: affinity core ${core}`);
      assert.equal(b.affinity.control.filter((c) => b.affinity.inference.includes(c)).length, 0, `${b.id}: control shares a core with inference`);
    }
  });

  it('RK3588 boards put control on an A76, inference on the other A76 cluster, the system on the A55s', () => {
    for (const id of ['rock-5b', 'orange-pi-5']) {
      const b = getBoard(id)!;
      assert.deepEqual(b.affinity, { control: [4], inference: [6, 7], system: [0, 1, 2, 3] });
      assert.equal(b.cpu.clusters.find((c) => c.cores.includes(4))?.part, '0xd0b');
      assert.equal(b.cpu.clusters.find((c) => c.cores.includes(0))?.big, false);
    }
  });

  it('the Orange Pi 5 header has 26 pins', () => {
    assert.equal(getBoard('orange-pi-5')!.header.length, 26);
    assert.equal(getBoard('orange-pi-5')!.header.at(-1)!.pin, 26);
  });
});
