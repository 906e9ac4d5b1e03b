import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getBoard } from '../../boards/index.js';
import { resolvePins } from '../../boards/pins.js';
import { readProbe } from '../../boards/probe.js';

const root = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function sysfs(board: string, fixture: string, pin: number) {
  const pins = resolvePins(getBoard(board)!, await readProbe(root(fixture)));
  const p = pins.find((x) => x.pin === pin);
  assert.ok(p, `${board} has pin ${pin}`);
  return p;
}

describe('header pins → sysfs numbers from the probed chip bases', () => {
  const cases: [board: string, fixture: string, pin: number, chip: string, line: number, sysfs: number][] = [
    ['raspberry-pi-4', 'pi4-kernel5', 11, 'pinctrl-bcm2711', 17, 17],
    ['raspberry-pi-4', 'pi4-kernel66', 11, 'pinctrl-bcm2711', 17, 529],
    ['raspberry-pi-5', 'pi5', 11, 'pinctrl-rp1', 17, 588],
    ['jetson-nano', 'jetson-nano', 7, 'tegra-gpio', 216, 216],
    ['jetson-nano', 'jetson-nano', 12, 'tegra-gpio', 79, 79],
    ['jetson-orin-nano', 'orin-nano', 7, 'tegra234-gpio', 144, 492],
    ['jetson-orin-nano', 'orin-nano', 12, 'tegra234-gpio', 50, 398],
    ['rock-5b', 'rock-5b', 12, 'gpio3', 13, 109],
    ['rock-5b', 'rock-5b', 7, 'gpio3', 19, 115],
    ['orange-pi-5', 'orange-pi-5', 7, 'gpio1', 22, 54],
    ['orange-pi-5', 'orange-pi-5', 26, 'gpio1', 3, 35],
  ];
  for (const [board, fixture, pin, chip, line, number] of cases) {
    it(`${board} pin ${pin} on ${fixture} → ${chip}:${line} → ${number}`, async () => {
      const p = await sysfs(board, fixture, pin);
      assert.deepEqual({ chip: p.chip, line: p.line, sysfs: p.sysfs, function: p.function }, { chip, line, sysfs: number, function: 'gpio' });
    });
  }

  it('the Rockchip name matches the global number: GPIO3_B5 is 109', async () => {
    const p = await sysfs('rock-5b', 'rock-5b', 12);
    assert.equal(p.name, 'GPIO3_B5');
  });

  it('sysfs follows the base found under the root, not a constant: moving a chip moves every number', async () => {
    const board = getBoard('raspberry-pi-4')!;
    const probe = await readProbe(root('pi4-kernel66'));
    const moved = { gpioChips: probe.gpioChips.map((c) => (c.label === 'pinctrl-bcm2711' ? { ...c, base: 1000 } : c)) };
    assert.equal(resolvePins(board, moved).find((p) => p.pin === 40)!.sysfs, 1021);
  });

  it('sysfs is null when the chip is not present under the root, and for power pins', async () => {
    const onPi5Root = resolvePins(getBoard('raspberry-pi-4')!, await readProbe(root('pi5')));
    assert.ok(onPi5Root.every((p) => p.sysfs === null), 'no pinctrl-bcm2711 on a Pi 5 root');
    const pi4 = resolvePins(getBoard('raspberry-pi-4')!, await readProbe(root('pi4-kernel5')));
    assert.deepEqual(pi4[0], { pin: 1, function: 'power-3v3', chip: null, line: null, sysfs: null, name: '3V3', i2cBus: null });
    assert.equal(pi4.find((p) => p.pin === 3)!.i2cBus, 1);
  });
});
