import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getBoard } from '../../boards/index.js';
import { checkPartialSite, checkSite, resolveSiteBoard, siteSummary, type CheckProblem } from '../../firmware/site/check.js';
import { loadSite, SiteError } from '../../firmware/site/load.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const demo = fileURLToPath(new URL('../../firmware/sites/demo.yaml', import.meta.url));

async function problemsOf(name: string, boardOverride?: string): Promise<CheckProblem[]> {
  const site = await loadSite(fixture(name));
  const { board, problems } = resolveSiteBoard(site, boardOverride);
  return [...problems, ...checkSite(site, board)];
}

const brief = (ps: CheckProblem[]) => ps.map((p) => `${p.code} ${p.path}`);

describe('checkSite: board-aware site validation', () => {
  it('the demo site passes on the sim board', async () => {
    const site = await loadSite(demo);
    const { board } = resolveSiteBoard(site);
    assert.equal(board?.id, 'sim');
    assert.deepEqual(checkSite(site, board), []);
    assert.equal(siteSummary(site, board), 'board sim, 8 phases, 8 detectors, 5 sensors');
  });

  it('chip options are checked by the chip driver\'s own schema', async () => {
    const ps = await problemsOf('chip-options.yaml');
    assert.equal(ps.length, 1);
    assert.equal(ps[0]!.code, 'chip-options');
    assert.match(ps[0]!.path, /^sensors\.0\.options/);
    assert.match(ps[0]!.message, /filter/);
  });

  it('a valid Raspberry Pi 4 site passes', async () => {
    assert.deepEqual(await problemsOf('pi4-ok.yaml'), []);
  });

  it('a pin used twice, across lamps and detectors, names the first use', async () => {
    const ps = await problemsOf('pin-twice.yaml');
    assert.deepEqual(brief(ps), ['pin-twice lamps.phases.2.red', 'pin-twice detectors.0.pin']);
    assert.match(ps[0]!.message, /pin 4 is already used by lamps\.phases\.1\.green/);
    assert.match(ps[1]!.message, /pin 6 is already used by lamps\.phases\.2\.green/);
  });

  it('power, ground and I2C pins are not GPIO', async () => {
    const ps = await problemsOf('pin-not-gpio.yaml');
    assert.deepEqual(brief(ps), ['pin-not-gpio lamps.phases.2.red', 'pin-not-gpio lamps.phases.2.yellow', 'pin-not-gpio detectors.0.pin']);
    assert.match(ps[0]!.message, /pin 1 is power-3v3/);
    assert.match(ps[1]!.message, /pin 3 is i2c-sda of I2C bus 1/);
    assert.match(ps[2]!.message, /pin 6 is ground/);
  });

  it('pins beyond the Orange Pi 5 26-pin header are not on the header', async () => {
    const ps = await problemsOf('pin-not-on-header.yaml');
    assert.deepEqual(brief(ps), ['pin-not-on-header lamps.phases.2.green', 'pin-not-on-header detectors.0.pin']);
    assert.match(ps[0]!.message, /orange-pi-5 has no header pin 29 \(its header has 26 pins\)/);
  });

  it('an I2C address clash on one bus, not across buses', async () => {
    const ps = await problemsOf('i2c-clash.yaml');
    assert.deepEqual(brief(ps), ['i2c-address-clash sensors.1.address']);
    assert.match(ps[0]!.message, /0x76 on bus 1 is already used by sensors\.0 \(cabinet\)/);
  });

  it('a bus the board does not have', async () => {
    const ps = await problemsOf('i2c-bus-missing.yaml');
    assert.deepEqual(brief(ps), ['i2c-bus-missing sensors.0.bus']);
    assert.match(ps[0]!.message, /raspberry-pi-4 has no I2C bus 3 \(it has i2c-1, i2c-0\)/);
  });

  it('current_sensor must name an ina219 sensor', async () => {
    const ps = await problemsOf('current-sensor.yaml');
    assert.deepEqual(brief(ps), ['current-sensor lamps.phases.2.current_sensor', 'current-sensor lamps.phases.4.current_sensor']);
    assert.match(ps[1]!.message, /"cabinet" is a bme280, not an ina219/);
  });

  it('the detection section: detectors and params as run builds them, entries that name no stream or one already set', async () => {
    const ps = await problemsOf('detection.yaml');
    assert.deepEqual(brief(ps), [
      'detector detection.params',
      'detection-stream detection.streams.0.sensor',
      'detection-stream detection.streams.1.channel',
      'detector detection.streams.2.params',
      'detection-stream detection.streams.3',
      'detector detection.streams.4.detector',
      'detector detection.streams.6.params',
    ]);
    assert.match(ps[0]!.message, /detector "ensemble" has no parameter "holdof"; valid: long1, /);
    assert.match(ps[1]!.message, /no sensor or loop named "cabinett"; streams come from: cabinet, supply, north/);
    assert.match(ps[2]!.message, /"cabinet" streams no channel "temprature"; its streams: temperature_c, pressure_pa, humidity_pct/);
    assert.match(ps[3]!.message, /detector "gaussian-tail" parameter "long1" must be an integer from 2 to 1000000 \(or 0 for off\), got -5/);
    assert.match(ps[4]!.message, /stream cabinet\.temperature_c is already set by detection\.streams\.2/);
    assert.match(ps[5]!.message, /unknown detector "ensembel"; valid: ensemble, /);
    // the section's params (holdof) go with the section's detector, so the stream is refused for its own k alone
    assert.match(ps[6]!.message, /detector "ensemble": k \(500\) must not exceed train \(400\)/);
  });

  it('a detection section that names real streams passes, and a loop\'s occupancy is one', async () => {
    const site = await loadSite(fixture('detection.yaml'));
    site.detection = { ...site.detection!, params: {}, streams: site.detection!.streams.filter((_, i) => i === 2 || i === 5).map((e) => ({ ...e, params: {} })) };
    assert.deepEqual(checkSite(site, getBoard('sim')!), []);
  });

  it('an unknown board id lists the known ones', async () => {
    const ps = await problemsOf('unknown-board.yaml');
    assert.deepEqual(brief(ps), ['unknown-board board']);
    assert.match(ps[0]!.message, /unknown board "raspberry-pi-zero"; known boards: raspberry-pi-4, .*sim, auto/);
  });

  it('board: auto skips header checks, but --board checks against that board', async () => {
    assert.deepEqual(await problemsOf('auto.yaml'), []);
    assert.deepEqual(brief(await problemsOf('auto.yaml', 'raspberry-pi-4')), [
      'pin-not-gpio lamps.phases.2.red',
      'pin-not-gpio lamps.phases.2.yellow',
      'pin-not-gpio lamps.phases.2.green',
    ]);
  });

  it('reports every problem at once, in file order within each kind', async () => {
    assert.deepEqual(brief(await problemsOf('many.yaml')), [
      'pin-not-gpio lamps.phases.2.green',
      'pin-twice lamps.phases.4.red',
      'pin-not-gpio lamps.phases.4.yellow',
      'pin-not-on-header lamps.phases.4.green',
      'i2c-address-clash sensors.1.address',
      'i2c-bus-missing sensors.2.bus',
      'current-sensor lamps.phases.2.current_sensor',
    ]);
  });

  it('firmata pins are Arduino pins: header checks are skipped, duplicates still caught', async () => {
    const site = await loadSite(fixture('pin-not-gpio.yaml'));
    const firmata = { ...site, backend: { gpio: 'firmata', i2c: 'firmata' }, firmata: { port: '/dev/ttyACM0' } };
    assert.deepEqual(checkSite(firmata, getBoard('raspberry-pi-4')!), []);
    const dup = { ...firmata, detectors: [{ ...site.detectors[0]!, pin: 1 }] };
    assert.deepEqual(brief(checkSite(dup, getBoard('raspberry-pi-4')!)), ['pin-twice detectors.0.pin']);
  });

  it('an unknown backend name is reported with the valid ones', async () => {
    const site = await loadSite(fixture('pi4-ok.yaml'));
    const ps = checkSite({ ...site, backend: { gpio: 'pigpio' } }, getBoard('raspberry-pi-4')!);
    assert.deepEqual(brief(ps), ['unknown-backend backend.gpio']);
    assert.match(ps[0]!.message, /valid: .*linux-chardev/);
  });

  it('schema errors come from the loader with their paths', async () => {
    await assert.rejects(loadSite(fixture('schema.yaml')), (err: unknown) => {
      assert.ok(err instanceof SiteError);
      const paths = err.problems.map((p) => p.path);
      for (const p of ['id', 'lamps.phases.9', 'sensors.0.chip', 'sensors.0.address']) assert.ok(paths.includes(p), `missing ${p} in ${paths.join(', ')}`);
      return true;
    });
  });

  it('a file that fails the schema is still checked on the parts that validate, under their original paths', () => {
    const raw = parse(readFileSync(fixture('schema-and-board.yaml'), 'utf8'));
    const ps = checkPartialSite(raw, getBoard('raspberry-pi-4')!);
    assert.deepEqual(
      ps.map((p) => `${p.code} ${p.path}: ${p.message}`),
      [
        'pin-not-gpio lamps.phases.2.red: pin 1 is power-3v3 (3V3) on raspberry-pi-4, not a GPIO line',
        'pin-twice detectors.1.pin: pin 13 is already used by lamps.phases.2.yellow',
        'i2c-address-clash sensors.2.address: address 0x41 on bus 1 is already used by sensors.1 (b)',
      ],
    );
  });
});
