import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { detectionBlock } from '../../firmware/runtime/detection-rate.js';
import { CABINET_MODEL_STREAM } from '../../firmware/runtime/cabinet-model.js';
import { loadSite, parseSite } from '../../firmware/site/load.js';
import { readFile } from 'node:fs/promises';

const DEMO = join(import.meta.dirname, '..', '..', 'firmware', 'sites', 'demo.yaml');

describe('detection rate: which streams are scored on block means', () => {
  it('by default a stream faster than 10 Hz is scored on block means of rate/10 samples', async () => {
    const site = await loadSite(DEMO);
    assert.equal(detectionBlock(site, 'pole.vibration_rms_g', 100), 10);
    assert.equal(detectionBlock(site, 'lamps-2.current_a', 10), 1);
    assert.equal(detectionBlock(site, 'cabinet.temperature_c', 1), 1);
    // the cabinet model's score stream is a score already, never averaged
    assert.equal(detectionBlock(site, CABINET_MODEL_STREAM, 100), 1);
  });

  it('the section’s rate_hz and a stream’s own rate_hz override it', async () => {
    const text = await readFile(DEMO, 'utf8');
    const site = parseSite(`${text}\ndetection:\n  rate_hz: 2\n  streams:\n    - { sensor: pole, channel: vibration_rms_g, rate_hz: 100 }\n`);
    assert.equal(detectionBlock(site, 'pole.vibration_rms_g', 100), 1);
    assert.equal(detectionBlock(site, 'lamps-2.current_a', 10), 5);
    assert.equal(detectionBlock(site, 'lamps-2.bus_v', 100), 50);
  });

  it('a rate that is not a positive number is refused, naming the field', async () => {
    const text = await readFile(DEMO, 'utf8');
    assert.throws(() => parseSite(`${text}\ndetection:\n  rate_hz: 0\n`, 'site.yaml'), /detection\.rate_hz/);
  });
});
