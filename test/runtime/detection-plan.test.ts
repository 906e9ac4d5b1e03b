import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as registry from '../../firmware/anomaly/registry.js';
import { CABINET_MODEL_STREAM } from '../../firmware/runtime/cabinet-model.js';
import { streamDetection } from '../../firmware/runtime/detection-plan.js';
import { loadSite, parseSite } from '../../firmware/site/load.js';

const DEMO = join(import.meta.dirname, '..', '..', 'firmware', 'sites', 'demo.yaml');
const withDetection = async (yaml: string) => parseSite(`${await readFile(DEMO, 'utf8')}\ndetection:\n${yaml}`, 'site.yaml');

describe('detection plan: what watches each stream (the online detector and the refit replay)', () => {
  it('without a detection section: the default detector at its own alert level, a stream faster than 10 Hz on block means', async () => {
    const site = await loadSite(DEMO);
    const own = registry.detectorSpec(registry.DEFAULT_DETECTOR).defaults.alertLevel;
    assert.deepEqual(streamDetection(site, 'pole.vibration_rms_g', 100, registry), { detector: registry.DEFAULT_DETECTOR, params: {}, threshold: own, block: 10 });
    assert.equal(streamDetection(site, 'lamps-2.current_a', 10, registry)!.block, 1);
    assert.equal(streamDetection(site, 'cabinet.temperature_c', 1, registry)!.block, 1);
    // the cabinet model's stream is a model's score: no detector, no refit
    assert.equal(streamDetection(site, CABINET_MODEL_STREAM, 1, registry), null);
  });

  it('the section and a stream override detector, params, threshold and rate; enabled: false watches nothing', async () => {
    const site = await withDetection(
      '  detector: gaussian-tail\n  params: { long1: 256 }\n  alert_threshold: 0.8\n  rate_hz: 2\n  streams:\n    - { sensor: pole, channel: vibration_rms_g, rate_hz: 100, detector: knn-conformal, params: { k: 5 }, alert_threshold: 0.95 }\n',
    );
    // the section's params are gaussian-tail's: a stream with a detector of its own gets its own params only
    // (they used to be merged, and knn-conformal refused `long1`: `wayside run` failed to start)
    const pole = streamDetection(site, 'pole.vibration_rms_g', 100, registry)!;
    assert.deepEqual(pole, { detector: 'knn-conformal', params: { k: 5 }, threshold: 0.95, block: 1 });
    assert.doesNotThrow(() => registry.createDetector(pole.detector, pole.params));
    assert.deepEqual(streamDetection(site, 'lamps-2.current_a', 10, registry), { detector: 'gaussian-tail', params: { long1: 256 }, threshold: 0.8, block: 5 });
    assert.equal(streamDetection(site, 'lamps-2.bus_v', 100, registry)!.block, 50);
    assert.equal(streamDetection(await withDetection('  enabled: false\n'), 'pole.vibration_rms_g', 100, registry), null);
  });

  it('a rate that is not a positive number is refused, naming the field', async () => {
    await assert.rejects(withDetection('  rate_hz: 0\n'), /detection\.rate_hz/);
  });
});

describe('a detection the registry refuses', () => {
  it('stops `startCabinet` with an error naming the stream and the parameter', async () => {
    const { startCabinet } = await import('../../firmware/runtime/cabinet.js');
    const { getBoard } = await import('../../boards/index.js');
    const { VirtualClock } = await import('../../drivers/hal/clock.js');
    const site = await withDetection('  streams:\n    - { sensor: pole, channel: vibration_rms_g, params: { bogus: 2 } }\n');
    await assert.rejects(
      startCabinet({ site, siteFile: 'site.yaml', board: getBoard('sim')!, clock: new VirtualClock(), status: null, inference: false, jobs: false, eventLog: null }),
      /detection of pole\.vibration_rms_g: detector "ensemble" has no parameter "bogus"/,
    );
  });
});
