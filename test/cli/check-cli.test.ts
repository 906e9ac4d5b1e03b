import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fx = (name: string) => `test/site/fixtures/${name}`;

function wayside(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'firmware/cli/main.ts', ...args], { cwd: repo, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wayside check (CLI)', () => {
  it('the demo site passes with a one-line summary', () => {
    const r = wayside('check', 'firmware/sites/demo.yaml');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'ok: firmware/sites/demo.yaml: board sim, 8 phases, 8 detectors, 5 sensors\n');
  });

  it('lists every problem with its path on stderr and exits 1', () => {
    const r = wayside('check', fx('many.yaml'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /many\.yaml: 7 problem\(s\)/);
    for (const path of ['lamps.phases.2.green', 'lamps.phases.4.red', 'lamps.phases.4.yellow', 'lamps.phases.4.green', 'sensors.1.address', 'sensors.2.bus', 'lamps.phases.2.current_sensor']) {
      assert.match(r.stderr, new RegExp(`^  ${path.replace(/\./g, '\\.')}: `, 'm'), path);
    }
  });

  it('--json: {ok, file, board, summary, problems:[{path, code, message}], notes}', () => {
    const r = wayside('check', fx('pin-not-gpio.yaml'), '--json');
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['ok', 'file', 'board', 'summary', 'problems', 'notes']);
    assert.equal(out.ok, false);
    assert.equal(out.board, 'raspberry-pi-4');
    assert.deepEqual(out.problems[0], { path: 'lamps.phases.2.red', code: 'pin-not-gpio', message: 'pin 1 is power-3v3 (3V3) on raspberry-pi-4, not a GPIO line' });
  });

  it('schema and YAML syntax errors are reported as problems too', () => {
    const schema = JSON.parse(wayside('check', fx('schema.yaml'), '--json').stdout);
    assert.ok(schema.problems.length >= 4 && schema.problems.every((p: { code: string }) => p.code === 'schema'));
    const syntax = wayside('check', fx('yaml-syntax.yaml'));
    assert.equal(syntax.code, 1);
    assert.match(syntax.stderr, /yaml-syntax\.yaml: \d problem\(s\)\n  line 3: /);
  });

  it('board: auto passes with a note; --board checks it against that board', () => {
    const auto = wayside('check', fx('auto.yaml'));
    assert.equal(auto.code, 0);
    assert.match(auto.stderr, /note: board is auto: header pin and I2C bus checks skipped/);
    const pi = wayside('check', fx('auto.yaml'), '--board', 'raspberry-pi-4');
    assert.equal(pi.code, 1);
    assert.match(pi.stderr, /pin 3 is i2c-sda of I2C bus 1 on raspberry-pi-4/);
  });

  it('an unknown board in the site file is a problem naming the known boards', () => {
    const r = wayside('check', fx('unknown-board.yaml'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /board: unknown board "raspberry-pi-zero"; known boards: raspberry-pi-4/);
  });

  it('a missing file is a problem, not a crash', () => {
    const r = wayside('check', fx('does-not-exist.yaml'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /\(file\): ENOENT/);
  });

  it('schema problems and board problems of one file come out in one run', () => {
    const out = JSON.parse(wayside('check', fx('schema-and-board.yaml'), '--json').stdout);
    assert.equal(out.ok, false);
    assert.equal(out.board, 'raspberry-pi-4');
    assert.deepEqual(
      out.problems.map((p: { code: string; path: string }) => `${p.code} ${p.path}`),
      ['schema id', 'schema lamps.phases.3.green', 'schema detectors.0.phase', 'schema sensors.0.chip',
        'pin-not-gpio lamps.phases.2.red', 'pin-twice detectors.1.pin', 'i2c-address-clash sensors.2.address'],
    );
  });
});
