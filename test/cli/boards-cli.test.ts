import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = 'test/boards/fixtures';

function wayside(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wayside boards (CLI)', () => {
  it('list --json names all six boards and sim', () => {
    const r = wayside('boards', 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as { id: string }[]).map((b) => b.id);
    assert.deepEqual(ids, ['raspberry-pi-4', 'raspberry-pi-5', 'jetson-nano', 'jetson-orin-nano', 'rock-5b', 'orange-pi-5', 'sim']);
  });

  it('detect --json has exactly {board, model, soc, cpus, bigCores, gpioChips}', () => {
    const r = wayside('boards', 'detect', '--root', `${fixtures}/rock-5b`, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['board', 'model', 'soc', 'cpus', 'bigCores', 'gpioChips']);
    assert.equal(out.board, 'rock-5b');
    assert.equal(out.model, 'Radxa ROCK 5 Model B');
    assert.equal(out.soc, 'RK3588');
    assert.deepEqual(out.cpus[7], { id: 7, part: '0xd0b', capacity: 1017 });
    assert.deepEqual(out.bigCores, [4, 5, 6, 7]);
    assert.deepEqual(out.gpioChips[3], { label: 'gpio3', base: 96, ngpio: 32 });
  });

  it('detect prints a readable table without --json', () => {
    const r = wayside('boards', 'detect', '--root', `${fixtures}/pi4-kernel66`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^board\s+raspberry-pi-4/m);
    assert.match(r.stdout, /pinctrl-bcm2711@512\+58/);
  });

  it('an unknown board root exits 2 naming the device tree strings and the known boards', () => {
    const r = wayside('boards', 'detect', '--root', `${fixtures}/unknown-pi3`, '--json');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /"raspberrypi,3-model-b", "brcm,bcm2837"/);
    assert.match(r.stderr, /known boards: raspberry-pi-4, raspberry-pi-5, jetson-nano, jetson-orin-nano, rock-5b, orange-pi-5/);
  });

  it('pins --json gives [{pin, function, chip, line, sysfs}] with Orin sysfs numbers from its root', () => {
    const r = wayside('boards', 'pins', 'jetson-orin-nano', '--root', `${fixtures}/orin-nano`, '--json');
    assert.equal(r.code, 0, r.stderr);
    const pins = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.equal(pins.length, 40);
    for (const key of ['pin', 'function', 'chip', 'line', 'sysfs']) assert.ok(key in pins[0]!, key);
    const byPin = (n: number) => pins.find((p) => p['pin'] === n)!;
    assert.deepEqual([byPin(7)['sysfs'], byPin(12)['sysfs']], [492, 398]);
    assert.equal(byPin(1)['sysfs'], null);
  });

  it('pins of an unknown board name exits 2 naming it', () => {
    const r = wayside('boards', 'pins', 'pi-zero');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown board "pi-zero"; known boards: raspberry-pi-4/);
  });

  it('pins as a table, sysfs "-" when the chip is not under the root', () => {
    const r = wayside('boards', 'pins', 'raspberry-pi-5', '--root', `${fixtures}/pi4-kernel5`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^PIN\s+FUNCTION\s+CHIP\s+LINE\s+SYSFS/);
    assert.match(r.stdout, /^11\s+gpio\s+pinctrl-rp1\s+17\s+-\s+GPIO17$/m);
  });
});
